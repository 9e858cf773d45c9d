// Each AArch64 instruction form of the encoder, disassembled by binutils' objdump for arm64
// (Debian's binutils-aarch64-linux-gnu): the encoder says what the CPU will read.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { load32, store32, addImm, addImm32, addShifted, cmpImm, subReg, assemble, branch, cmpReg, label, loadByte, loadTopOfStack32, movFromSp, movImm, movMinusOne, movReg, svc, ubfx, type Item } from "../../src/boot/aarch64.js";

const OBJDUMP = "aarch64-linux-gnu-objdump";

/** objdump's reading of the code, one "mnemonic operands" per instruction, comments dropped. */
function disassemble(code: Uint8Array): string[] {
  assert.ok(spawnSync(OBJDUMP, ["--version"]).status === 0, `${OBJDUMP} is needed (Debian package binutils-aarch64-linux-gnu; the test command installs it as root)`);
  const dir = mkdtempSync(join(tmpdir(), "mcc-a64-"));
  try {
    writeFileSync(join(dir, "code.bin"), code);
    const run = spawnSync(OBJDUMP, ["-D", "-b", "binary", "-m", "aarch64", join(dir, "code.bin")], { encoding: "utf8" });
    assert.is(run.status, 0, run.stderr);
    return run.stdout
      .split("\n")
      .map((l) => /^\s*[0-9a-f]+:\t[0-9a-f]{8}\s+\t?(.*)$/.exec(l)?.[1])
      .filter((l): l is string => l !== undefined)
      .map((l) => l.replace(/\s*\/\/.*$/, "").replace(/\s+/g, " ").trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases: [Item[], string[]][] = [
  [movImm(8, 40), ["mov x8, #0x28"]],
  [movImm(0, 0x4000b0), ["mov x0, #0xb0", "movk x0, #0x40, lsl #16"]],
  [movImm(0, 0xfee1dead), ["mov x0, #0xdead", "movk x0, #0xfee1, lsl #16"]],
  [movImm(3, 0), ["mov x3, #0x0"]],
  [[movMinusOne(0)], ["mov x0, #0xffffffffffffffff"]],
  [[movReg(19, 0)], ["mov x19, x0"]],
  [[movFromSp(1)], ["mov x1, sp"]],
  [[cmpReg(0, 19)], ["cmp x0, x19"]],
  [[loadTopOfStack32(20)], ["ldr w20, [sp]"]],
  [[ubfx(21, 20, 0, 7)], ["ubfx w21, w20, #0, #7"]],
  [[ubfx(21, 20, 8, 8)], ["ubfx w21, w20, #8, #8"]],
  [[addImm32(21, 21, 128)], ["add w21, w21, #0x80"]],
  [[addShifted(1, 21, 21, 1)], ["add x1, x21, x21, lsl #1"]],
  [[loadByte(2, 1, 23)], ["ldrb w2, [x1, #23]"]],
  [[addImm(22, 22, 10)], ["add x22, x22, #0xa"]],
  [[subReg(2, 23, 22)], ["sub x2, x23, x22"]],
  [[cmpImm(0, 0x27)], ["cmp x0, #0x27"]],
  [[load32(9, 10)], ["ldr w9, [x10]"]],
  [[store32(0, 10)], ["str w0, [x10]"]],
  [[svc()], ["svc #0x0"]],
];

test("every instruction form disassembles to what it claims", () => {
  assert.equal(disassemble(assemble(cases.flatMap(([items]) => items))), cases.flatMap(([, text]) => text));
});

test("branches resolve to their labels, backwards and forwards", () => {
  const code = assemble([
    label("top"),
    svc(),
    branch({ op: "b.cond", cond: "ne" }, "top"),
    branch({ op: "tbnz", reg: 0, bit: 63 }, "end"),
    branch({ op: "tbz", reg: 0, bit: 63 }, "end"),
    branch({ op: "cbz", reg: 0, wide: true }, "end"),
    branch({ op: "cbnz", reg: 21, wide: false }, "top"),
    branch({ op: "b" }, "top"),
    label("end"),
    svc(),
  ]);
  assert.equal(disassemble(code), ["svc #0x0", "b.ne 0x0", "tbnz x0, #63, 0x1c", "tbz x0, #63, 0x1c", "cbz x0, 0x1c", "cbnz w21, 0x0", "b 0x0", "svc #0x0"]);
  const unsigned = assemble([label("top"), ...(["hs", "lo", "hi", "ls", "eq"] as const).map((cond) => branch({ op: "b.cond", cond }, "top"))]);
  assert.equal(disassemble(unsigned), ["b.cs 0x0", "b.cc 0x0", "b.hi 0x0", "b.ls 0x0", "b.eq 0x0"]);
});

test("out-of-range operands and missing labels are refused", () => {
  assert.throws(() => assemble([branch({ op: "b" }, "nowhere")]), /no label nowhere/);
  assert.throws(() => movImm(0, -1), /does not fit 32 bits/);
  assert.throws(() => loadByte(0, 1, 5000), /does not fit 12 bits/);
});

test.run();
