/**
 * A tiny AArch64 encoder: the instruction forms the generated init uses, and labels with
 * PC-relative branches. Every instruction is one little-endian 32-bit word, so a program is
 * laid out in one pass. The encodings follow the Arm Architecture Reference Manual (A64);
 * test/boot/aarch64.test.ts checks each against objdump's disassembly.
 */

/** x0-x30 are 0-30; 31 is the zero register or sp, depending on the instruction. */
export type XReg = number;
export const SP = 31;

/** Condition codes of `b.cond`. */
const COND = { eq: 0x0, ne: 0x1, hs: 0x2, lo: 0x3, hi: 0x8, ls: 0x9 } as const;

/** One item of a program: an instruction word, a label's position, or a branch to a label. */
export type Item =
  | { readonly kind: "word"; readonly word: number }
  | { readonly kind: "label"; readonly name: string }
  | { readonly kind: "branch"; readonly form: Branch; readonly label: string };

/** The branch forms: unconditional, conditional, (non-)zero register, and bit 63 (the sign). */
export type Branch =
  | { readonly op: "b" }
  | { readonly op: "b.cond"; readonly cond: keyof typeof COND }
  | { readonly op: "cbz" | "cbnz"; readonly reg: XReg; readonly wide: boolean }
  | { readonly op: "tbz" | "tbnz"; readonly reg: XReg; readonly bit: number };

const word = (w: number): Item => ({ kind: "word", word: w >>> 0 });

function reg(r: XReg): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new Error(`aarch64: no register ${r}`);
  return r;
}

function field(value: number, bits: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw new Error(`aarch64: ${what} ${value} does not fit ${bits} bits`);
  return value;
}

/**
 * Loads a value of 0..2^32-1 into a 64-bit register: `movz` of the low half, and `movk` of
 * the high half when it is not zero.
 */
export function movImm(rd: XReg, value: number): Item[] {
  field(value, 32, "immediate");
  const lo = value & 0xffff;
  const hi = value >>> 16;
  const out = [word(0xd2800000 | (lo << 5) | reg(rd))];
  if (hi !== 0) out.push(word(0xf2a00000 | (hi << 5) | reg(rd)));
  return out;
}

/** `movn xd, #0`: -1. */
export const movMinusOne = (rd: XReg): Item => word(0x92800000 | reg(rd));

/** `mov xd, xm` (an `orr` with the zero register). */
export const movReg = (rd: XReg, rm: XReg): Item => word(0xaa0003e0 | (reg(rm) << 16) | reg(rd));

/** `mov xd, sp` (an `add` of 0). */
export const movFromSp = (rd: XReg): Item => word(0x910003e0 | reg(rd));

/** `cmp xn, xm` (a `subs` into the zero register). */
export const cmpReg = (rn: XReg, rm: XReg): Item => word(0xeb00001f | (reg(rm) << 16) | (reg(rn) << 5));

/** `ldr wt, [sp]`: the wait status the kernel stored at the top of the stack. */
export const loadTopOfStack32 = (rt: XReg): Item => word(0xb9400000 | (SP << 5) | reg(rt));

/** `ubfx wd, wn, #lsb, #width`: an unsigned bit field (the upper 32 bits of xd cleared). */
export const ubfx = (rd: XReg, rn: XReg, lsb: number, width: number): Item => {
  field(lsb, 5, "lsb");
  field(lsb + width - 1, 5, "field end");
  return word(0x53000000 | (lsb << 16) | ((lsb + width - 1) << 10) | (reg(rn) << 5) | reg(rd));
};

/** `add wd, wn, #imm12`. */
export const addImm32 = (rd: XReg, rn: XReg, imm: number): Item => word(0x11000000 | (field(imm, 12, "immediate") << 10) | (reg(rn) << 5) | reg(rd));

/** `add xd, xn, xm, lsl #shift`. */
export const addShifted = (rd: XReg, rn: XReg, rm: XReg, shift: number): Item =>
  word(0x8b000000 | (reg(rm) << 16) | (field(shift, 6, "shift") << 10) | (reg(rn) << 5) | reg(rd));

/** `ldrb wt, [xn, #offset]`. */
export const loadByte = (rt: XReg, rn: XReg, offset: number): Item => word(0x39400000 | (field(offset, 12, "offset") << 10) | (reg(rn) << 5) | reg(rt));

/** `add xd, xn, #imm12` (64-bit). */
export const addImm = (rd: XReg, rn: XReg, imm: number): Item => word(0x91000000 | (field(imm, 12, "immediate") << 10) | (reg(rn) << 5) | reg(rd));

/** `sub xd, xn, xm`. */
export const subReg = (rd: XReg, rn: XReg, rm: XReg): Item => word(0xcb000000 | (reg(rm) << 16) | (reg(rn) << 5) | reg(rd));

/** `cmp xn, #imm12` (a `subs` into the zero register). */
export const cmpImm = (rn: XReg, imm: number): Item => word(0xf100001f | (field(imm, 12, "immediate") << 10) | (reg(rn) << 5));

/** `ldr wt, [xn]`: 32 bits, zero-extended. */
export const load32 = (rt: XReg, rn: XReg): Item => word(0xb9400000 | (reg(rn) << 5) | reg(rt));

/** `str wt, [xn]`: the low 32 bits. */
export const store32 = (rt: XReg, rn: XReg): Item => word(0xb9000000 | (reg(rn) << 5) | reg(rt));

/** `svc #0`: the number in x8, arguments in x0-x5, the result in x0. */
export const svc = (): Item => word(0xd4000001);

export const label = (name: string): Item => ({ kind: "label", name });

export const branch = (form: Branch, to: string): Item => ({ kind: "branch", form, label: to });

/** The word of a branch `delta` instructions away. */
function branchWord(form: Branch, delta: number): number {
  const signed = (bits: number) => {
    if (delta < -(2 ** (bits - 1)) || delta >= 2 ** (bits - 1)) throw new Error(`aarch64: a branch of ${delta} instructions does not fit ${bits} bits`);
    return delta & (2 ** bits - 1);
  };
  switch (form.op) {
    case "b":
      return 0x14000000 | signed(26);
    case "b.cond":
      return 0x54000000 | (signed(19) << 5) | COND[form.cond];
    case "cbz":
    case "cbnz":
      return (form.wide ? 0x80000000 : 0) | (form.op === "cbz" ? 0x34000000 : 0x35000000) | (signed(19) << 5) | reg(form.reg);
    case "tbz":
    case "tbnz":
      field(form.bit, 6, "bit");
      return (form.bit >= 32 ? 0x80000000 : 0) | (form.op === "tbz" ? 0x36000000 : 0x37000000) | ((form.bit & 31) << 19) | (signed(14) << 5) | reg(form.reg);
  }
}

/** The machine code of a program, branches resolved (relative to the branch itself). */
export function assemble(items: readonly Item[]): Uint8Array {
  const at = new Map<string, number>();
  let count = 0;
  for (const item of items) {
    if (item.kind === "label") {
      if (at.has(item.name)) throw new Error(`aarch64: label ${item.name} defined twice`);
      at.set(item.name, count);
    } else count++;
  }
  const out = new Uint8Array(count * 4);
  const view = new DataView(out.buffer);
  let index = 0;
  for (const item of items) {
    if (item.kind === "label") continue;
    let w: number;
    if (item.kind === "word") w = item.word;
    else {
      const target = at.get(item.label);
      if (target === undefined) throw new Error(`aarch64: no label ${item.label}`);
      w = branchWord(item.form, target - index);
    }
    view.setUint32(index * 4, w >>> 0, true);
    index++;
  }
  return out;
}
