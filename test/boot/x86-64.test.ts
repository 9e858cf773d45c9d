// Each instruction form of the encoder, disassembled by binutils' objdump: the encoder says
// what the CPU will read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { R, load32, store32, addImm, addReg, andImm, assemble, cmp64, cmpImm8, subReg, imulImm8, jump, label, loadByte, loadTopOfStack32, movImm, movImmSigned, movReg, movReg32, shrImm, syscall, test64, zero, type Item } from "../../src/boot/x86-64.js";
import { needTools } from "../support/tools.js";


/** objdump's reading of the code, one "mnemonic operands" per instruction, spaces squeezed. */
function disassemble(code: Uint8Array): string[] {
  needTools("objdump");
  const dir = mkdtempSync(join(tmpdir(), "mcc-x86-"));
  try {
    writeFileSync(join(dir, "code.bin"), code);
    const run = spawnSync("objdump", ["-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel", join(dir, "code.bin")], { encoding: "utf8" });
    assert.is(run.status, 0, run.stderr);
    return run.stdout
      .split("\n")
      .map((l) => /^\s*[0-9a-f]+:\t[0-9a-f ]+\t(.*)$/.exec(l)?.[1])
      .filter((l): l is string => l !== undefined)
      .map((l) => l.replace(/\s+/g, " ").replace(/ ?#.*$/, "").trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases: [Item, string][] = [
  [movImm(R.rax, 165), "mov eax,0xa5"],
  [movImm(R.r10, 0x400123), "mov r10d,0x400123"],
  [movImm(R.rdi, 0xfee1dead), "mov edi,0xfee1dead"],
  [movImmSigned(R.rdi, -1), "mov rdi,0xffffffffffffffff"],
  [zero(R.rdx), "xor edx,edx"],
  [zero(R.r8), "xor r8d,r8d"],
  [movReg(R.rbp, R.rax), "mov rbp,rax"],
  [movReg(R.rsi, R.rsp), "mov rsi,rsp"],
  [movReg32(R.rcx, R.rbx), "mov ecx,ebx"],
  [loadTopOfStack32(R.rbx), "mov ebx,DWORD PTR [rsp]"],
  [test64(R.rax), "test rax,rax"],
  [cmp64(R.rax, R.rbp), "cmp rax,rbp"],
  [andImm(R.rcx, 0x7f), "and ecx,0x7f"],
  [addImm(R.rsi, 0x401000), "add esi,0x401000"],
  [shrImm(R.rbx, 8), "shr ebx,0x8"],
  [imulImm8(R.rsi, R.rbx, 24), "imul esi,ebx,0x18"],
  [loadByte(R.rdx, R.rsi, 23), "movzx edx,BYTE PTR [rsi+0x17]"],
  [cmpImm8(R.rax, 0x27), "cmp rax,0x27"],
  [cmpImm8(R.r13, -1), "cmp r13,0xffffffffffffffff"],
  [subReg(R.r13, R.rbx), "sub r13,rbx"],
  [addReg(R.rsi, R.r13), "add rsi,r13"],
  [loadByte(R.rax, R.r13, 9), "movzx eax,BYTE PTR [r13+0x9]"],
  [store32(0x401000, R.rax), "mov DWORD PTR ds:0x401000,eax"],
  [store32(0x401004, R.r13), "mov DWORD PTR ds:0x401004,r13d"],
  [load32(R.rcx, 0x401000), "mov ecx,DWORD PTR ds:0x401000"],
  [syscall(), "syscall"],
];

test("every instruction form disassembles to what it claims", () => {
  assert.equal(disassemble(assemble(cases.map(([item]) => item))), cases.map(([, text]) => text));
});

test("jumps resolve to their labels, backwards and forwards, with rel32 displacements", () => {
  const code = assemble([label("top"), syscall(), jump("ne", "top"), jump("s", "end"), jump("always", "top"), label("end"), syscall()]);
  // syscall at 0; jne at 2 (6 bytes); js at 8 (6 bytes); jmp at 14 (5 bytes); end at 19.
  assert.equal(disassemble(code), ["syscall", "jne 0x0", "js 0x13", "jmp 0x0", "syscall"]);
  const unsigned = assemble([label("top"), jump("b", "top"), jump("ae", "top"), jump("be", "top"), jump("a", "top")]);
  assert.equal(disassemble(unsigned), ["jb 0x0", "jae 0x0", "jbe 0x0", "ja 0x0"]);
});

test("a jump to a missing label, and immediates out of range, are refused", () => {
  assert.throws(() => assemble([jump("always", "nowhere")]), /no label nowhere/);
  assert.throws(() => movImm(R.rax, -1), /0\.\.2\^32-1/);
  assert.throws(() => imulImm8(R.rax, R.rax, 200), /signed byte/);
});

test.run();
