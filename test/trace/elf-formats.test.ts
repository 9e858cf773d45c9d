// ELF32 and ELF64, little and big endian, with no section headers at all (stripped): the
// dynamic section is found through PT_DYNAMIC and its strings through DT_STRTAB's address.
// The files are built here byte by byte, so every combination is covered without a cross
// toolchain.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readElf } from "../../src/trace/elf.js";
import { buildElf, EM } from "../support/elf.js";

const combos = [
  { is64: true, le: true, machine: EM.x86_64, interp: "/lib64/ld-linux-x86-64.so.2" },
  { is64: true, le: true, machine: EM.aarch64, interp: "/lib/ld-linux-aarch64.so.1" },
  { is64: true, le: false, machine: EM.ppc64, interp: "/lib64/ld64.so.1" },
  { is64: false, le: true, machine: EM.arm, interp: "/lib/ld-linux-armhf.so.3" },
  { is64: false, le: false, machine: 8, interp: "/lib/ld.so.1" },
];

for (const c of combos) {
  test(`ELF${c.is64 ? 64 : 32} ${c.le ? "little" : "big"} endian, machine ${c.machine}, no section headers`, () => {
    const bytes = buildElf({ ...c, needed: ["libfoo.so.1", "libc.so.6"], runpath: "$ORIGIN/../lib:/opt/x", soname: "libself.so.2" });
    const elf = readElf(bytes);
    assert.is(elf.class, c.is64 ? 64 : 32);
    assert.is(elf.endian, c.le ? "lsb" : "msb");
    assert.is(elf.interpreter, c.interp);
    assert.equal(elf.needed, ["libfoo.so.1", "libc.so.6"]);
    assert.equal(elf.runpath, ["$ORIGIN/../lib", "/opt/x"]);
    assert.equal(elf.rpath, []);
    assert.is(elf.soname, "libself.so.2");
  });
}

test("the machine names amd64 and arm64 as the tracer compares them", () => {
  assert.is(readElf(buildElf({ is64: true, le: true, machine: EM.x86_64, needed: [] })).machine, "amd64");
  assert.is(readElf(buildElf({ is64: true, le: true, machine: EM.aarch64, needed: [] })).machine, "AArch64");
});

test.run();
