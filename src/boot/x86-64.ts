/**
 * A tiny x86-64 encoder: the dozen instruction forms the generated init uses, and labels with
 * rel32 jumps. Every form has a fixed size whatever its operands, so a program is laid out in
 * one pass and its bytes depend on nothing but its instructions. The encodings follow the
 * Intel SDM, volume 2; test/boot/x86-64.test.ts checks each against objdump's disassembly.
 */

/** Register numbers as the ModRM and REX fields encode them. */
export const R = { rax: 0, rcx: 1, rdx: 2, rbx: 3, rsp: 4, rbp: 5, rsi: 6, rdi: 7, r8: 8, r9: 9, r10: 10, r11: 11, r12: 12, r13: 13, r14: 14, r15: 15 } as const;
export type Reg = (typeof R)[keyof typeof R];

/** Condition codes of `jcc` (the low nibble of 0F 8x). */
const CC = { b: 0x2, ae: 0x3, e: 0x4, ne: 0x5, be: 0x6, a: 0x7, s: 0x8, ns: 0x9 } as const;
export type Cond = keyof typeof CC;

/** One item of a program: bytes, a label's position, or a jump to a label. */
export type Item =
  | { readonly kind: "bytes"; readonly bytes: readonly number[] }
  | { readonly kind: "label"; readonly name: string }
  | { readonly kind: "jump"; readonly cond: Cond | "always"; readonly label: string };

/** A REX prefix when one is needed: W for 64-bit operands, R and B for r8-r15. */
function rex(w: boolean, reg: number, rm: number): number[] {
  const byte = 0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);
  return byte === 0x40 ? [] : [byte];
}

/** ModRM for a register-to-register form (mod 11). */
function modrmReg(reg: number, rm: number): number {
  return 0xc0 | ((reg & 7) << 3) | (rm & 7);
}

function imm32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new Error(`x86-64: ${value} does not fit 32 bits`);
  const v = value >>> 0;
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

const bytes = (...b: number[]): Item => ({ kind: "bytes", bytes: b });

/** `mov r32, imm32`: the upper half of the 64-bit register is cleared, so 0..2^32-1 loads as is. */
export const movImm = (dst: Reg, value: number): Item => {
  if (value < 0) throw new Error(`x86-64: movImm takes 0..2^32-1, not ${value}`);
  return bytes(...rex(false, 0, dst), 0xb8 + (dst & 7), ...imm32(value));
};

/** `mov r64, simm32`: a sign-extended immediate (for -1). */
export const movImmSigned = (dst: Reg, value: number): Item => {
  if (value < -0x80000000 || value > 0x7fffffff) throw new Error(`x86-64: ${value} is not a signed 32-bit value`);
  return bytes(...rex(true, 0, dst), 0xc7, modrmReg(0, dst), ...imm32(value));
};

/** `xor r32, r32`: zero a register (and its upper half). */
export const zero = (reg: Reg): Item => bytes(...rex(false, reg, reg), 0x31, modrmReg(reg, reg));

/** `mov r64, r64`. */
export const movReg = (dst: Reg, src: Reg): Item => bytes(...rex(true, src, dst), 0x89, modrmReg(src, dst));

/** `mov r32, r32`. */
export const movReg32 = (dst: Reg, src: Reg): Item => bytes(...rex(false, src, dst), 0x89, modrmReg(src, dst));

/** `mov r32, [rsp]`: the wait status the kernel stored at the top of the stack. */
export const loadTopOfStack32 = (dst: Reg): Item => bytes(...rex(false, dst, 0), 0x8b, ((dst & 7) << 3) | 0x04, 0x24);

/** `test r64, r64`: sets SF and ZF from a syscall's result. */
export const test64 = (reg: Reg): Item => bytes(...rex(true, reg, reg), 0x85, modrmReg(reg, reg));

/** `cmp a, b` on 64 bits (flags of a - b). */
export const cmp64 = (a: Reg, b: Reg): Item => bytes(...rex(true, b, a), 0x39, modrmReg(b, a));

/** `and r32, imm32`. */
export const andImm = (reg: Reg, value: number): Item => bytes(...rex(false, 0, reg), 0x81, modrmReg(4, reg), ...imm32(value));

/** `add r32, imm32`. */
export const addImm = (reg: Reg, value: number): Item => bytes(...rex(false, 0, reg), 0x81, modrmReg(0, reg), ...imm32(value));

/** `shr r32, imm8`. */
export const shrImm = (reg: Reg, count: number): Item => bytes(...rex(false, 0, reg), 0xc1, modrmReg(5, reg), count & 0x1f);

/** `imul dst32, src32, imm8`. */
export const imulImm8 = (dst: Reg, src: Reg, value: number): Item => {
  if (value < -128 || value > 127) throw new Error(`x86-64: ${value} is not a signed byte`);
  return bytes(...rex(false, dst, src), 0x6b, modrmReg(dst, src), value & 0xff);
};

/** `movzx dst32, byte [base + disp8]` (base neither rsp nor r12, which would need a SIB byte). */
export const loadByte = (dst: Reg, base: Reg, disp: number): Item => {
  if ((base & 7) === 4) throw new Error("x86-64: loadByte does not take rsp or r12 as base");
  if (disp < -128 || disp > 127) throw new Error(`x86-64: ${disp} is not a signed byte`);
  return bytes(...rex(false, dst, base), 0x0f, 0xb6, 0x40 | ((dst & 7) << 3) | (base & 7), disp & 0xff);
};

/** `cmp r64, simm8`: compares with a sign-extended byte. */
export const cmpImm8 = (reg: Reg, value: number): Item => {
  if (value < -128 || value > 127) throw new Error(`x86-64: ${value} is not a signed byte`);
  return bytes(...rex(true, 0, reg), 0x83, modrmReg(7, reg), value & 0xff);
};

/** `sub r64, r64`: dst -= src. */
export const subReg = (dst: Reg, src: Reg): Item => bytes(...rex(true, src, dst), 0x29, modrmReg(src, dst));

/** `add r64, r64`: dst += src. */
export const addReg = (dst: Reg, src: Reg): Item => bytes(...rex(true, src, dst), 0x01, modrmReg(src, dst));

/** `mov dword [address], r32`: a store to an absolute 32-bit address (ModRM with a SIB of no base, no index). */
export const store32 = (address: number, src: Reg): Item => bytes(...rex(false, src, 0), 0x89, 0x04 | ((src & 7) << 3), 0x25, ...imm32(address));

/** `mov r32, dword [address]`: a load from an absolute 32-bit address, zero-extended. */
export const load32 = (dst: Reg, address: number): Item => bytes(...rex(false, dst, 0), 0x8b, 0x04 | ((dst & 7) << 3), 0x25, ...imm32(address));

/** `syscall`: the number in rax, arguments in rdi, rsi, rdx, r10, r8, r9; clobbers rcx and r11. */
export const syscall = (): Item => bytes(0x0f, 0x05);

export const label = (name: string): Item => ({ kind: "label", name });

/** `jmp rel32` or `jcc rel32` to a label. */
export const jump = (cond: Cond | "always", to: string): Item => ({ kind: "jump", cond, label: to });

const jumpSize = (cond: Cond | "always") => (cond === "always" ? 5 : 6);

/**
 * The machine code of a program: labels resolved to rel32 displacements (relative to the end
 * of the jump). Position-independent by construction: only jumps refer to code addresses.
 */
export function assemble(items: readonly Item[]): Uint8Array {
  const at = new Map<string, number>();
  let size = 0;
  for (const item of items) {
    if (item.kind === "label") {
      if (at.has(item.name)) throw new Error(`x86-64: label ${item.name} defined twice`);
      at.set(item.name, size);
    } else size += item.kind === "bytes" ? item.bytes.length : jumpSize(item.cond);
  }
  const out: number[] = [];
  for (const item of items) {
    if (item.kind === "bytes") out.push(...item.bytes);
    else if (item.kind === "jump") {
      const target = at.get(item.label);
      if (target === undefined) throw new Error(`x86-64: no label ${item.label}`);
      const end = out.length + jumpSize(item.cond);
      const op = item.cond === "always" ? [0xe9] : [0x0f, 0x80 | CC[item.cond]];
      out.push(...op, ...imm32(target - end));
    }
  }
  return Uint8Array.from(out);
}
