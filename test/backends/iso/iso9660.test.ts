// The ISO 9660 writer, checked by reading its images back with xorriso and by reading the
// descriptors, records, catalog and boot info table directly.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeIso, type IsoOptions } from "../../../src/backends/iso/iso9660.js";
import { hasTool, pattern, readDirectory, run, withTempDir } from "./tools.js";

const EPOCH = 1700000000; // 2023-11-14T22:13:20Z

/** The edge cases in one tree: empty, exactly one sector, one byte more, deep, no extension. */
function sampleFiles(): { path: string; bytes: Uint8Array }[] {
  return [
    { path: "/MCC/EMPTY.TXT", bytes: new Uint8Array(0) },
    { path: "/MCC/ONE.BIN", bytes: pattern(2048, 1) },
    { path: "/MCC/MORE.BIN", bytes: pattern(2049, 2) },
    { path: "/MCC/VMLINUZ", bytes: pattern(300_000, 3) },
    { path: "/A/B/C/D/E/F/G/DEEP.CFG", bytes: new TextEncoder().encode("deep\n") },
    { path: "/README.TXT", bytes: new TextEncoder().encode("mcc\n") },
    { path: "/isolinux/isolinux.cfg", bytes: new TextEncoder().encode("DEFAULT mcc\n") },
  ];
}

/** A stand-in for isolinux.bin: any bytes do, xorriso checks only the catalog and the table. */
const isolinux = () => pattern(40_962, 9);

function bootOptions(efiImage: Uint8Array = pattern(1024 * 1024, 7)): IsoOptions {
  return {
    volumeId: "MCC_BOOT",
    epoch: EPOCH,
    files: [...sampleFiles(), { path: "/ISOLINUX/ISOLINUX.BIN", bytes: isolinux() }, { path: "/EFI/BOOT.IMG", bytes: efiImage }],
    boot: { bios: { image: "/ISOLINUX/ISOLINUX.BIN", catalog: "/ISOLINUX/BOOT.CAT" }, efi: { image: "/EFI/BOOT.IMG" } },
  };
}

const image = (options: IsoOptions) => Buffer.concat(writeIso(options));

test("the Debian tools the ISO tests drive are installed (xorriso)", () => {
  assert.ok(hasTool("xorriso"), "xorriso (Debian package xorriso) is needed; the test command installs it when run as root");
});

test("xorriso reads the volume cleanly, lists exactly the files with their sizes, and extracts the same bytes", async () => {
  await withTempDir((dir) => {
    const files = sampleFiles();
    const iso = join(dir, "x.iso");
    const bytes = image({ volumeId: "mcc_test", epoch: EPOCH, files });
    writeFileSync(iso, bytes);
    const toc = run("xorriso", ["-indev", iso, "-toc"]);
    assert.is(toc.status, 0, toc.stderr);
    assert.not.match(toc.stderr, /SORRY|FAILURE|WARNING|MISHAP/);
    assert.match(toc.stderr, /Volume id\s+:\s+'MCC_TEST'/);
    // One session of exactly the image's sectors (the PVD's volume space size).
    assert.match(toc.stdout, new RegExp(`ISO session\\s+:\\s+1 ,\\s+0 ,\\s+${bytes.length / 2048}s , MCC_TEST`));

    const listing = run("xorriso", ["-indev", iso, "-find", "/", "-type", "f", "-exec", "lsdl"]);
    assert.is(listing.status, 0, listing.stderr);
    const listed = [...listing.stdout.matchAll(/^-\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s.*'(.*)'$/gm)].map((m) => `${m[2]} ${m[1]}`).sort();
    const expected = files.map((f) => `${f.path.toUpperCase()} ${f.bytes.length}`).sort();
    assert.equal(listed, expected);

    const out = join(dir, "out");
    const extract = run("xorriso", ["-osirrox", "on", "-indev", iso, "-extract", "/", out]);
    assert.is(extract.status, 0, extract.stderr);
    for (const file of files) {
      const back = readFileSync(join(out, file.path.toUpperCase()));
      assert.ok(Buffer.from(file.bytes).equals(back), `${file.path} comes back with other bytes`);
    }
  });
});

test("the El Torito catalog has the BIOS entry (no emulation, load size 4) and the EFI entry (platform 0xEF)", async () => {
  await withTempDir((dir) => {
    const iso = join(dir, "boot.iso");
    const efi = pattern(1024 * 1024, 7);
    writeFileSync(iso, image(bootOptions(efi)));
    const report = run("xorriso", ["-indev", iso, "-report_el_torito", "plain"]);
    assert.is(report.status, 0, report.stderr);
    assert.not.match(report.stderr, /SORRY|FAILURE|WARNING|MISHAP/);
    assert.match(report.stdout, /El Torito boot img :\s+1\s+BIOS\s+y\s+none\s+0x0000\s+0x00\s+4\s+\d+/);
    assert.match(report.stdout, new RegExp(`El Torito boot img :\\s+2\\s+UEFI\\s+y\\s+none\\s+0x0000\\s+0x00\\s+${efi.length / 512}\\s+\\d+`));
    assert.match(report.stdout, /El Torito img path :\s+1\s+\/ISOLINUX\/ISOLINUX.BIN/);
    assert.match(report.stdout, /El Torito img opts :\s+1\s+boot-info-table/);
    assert.match(report.stdout, /El Torito img path :\s+2\s+\/EFI\/BOOT.IMG/);
    assert.match(report.stdout, /El Torito cat path : \/ISOLINUX\/BOOT.CAT/);
  });
});

test("the boot catalog's validation entry checks out, and isolinux.bin carries the boot info table in the image only", () => {
  const options = bootOptions();
  const callerBytes = options.files.find((f) => f.path === "/ISOLINUX/ISOLINUX.BIN")?.bytes ?? new Uint8Array();
  const before = Buffer.from(callerBytes);
  const iso = image(options);
  assert.ok(before.equals(callerBytes), "the caller's isolinux.bin was changed");

  // The Boot Record Volume Descriptor follows the PVD and names the catalog.
  assert.is(iso.subarray(17 * 2048 + 7, 17 * 2048 + 30).toString("latin1"), "EL TORITO SPECIFICATION");
  const catalog = iso.readUInt32LE(17 * 2048 + 0x47) * 2048;
  let sum = 0;
  for (let at = 0; at < 32; at += 2) sum = (sum + iso.readUInt16LE(catalog + at)) & 0xffff;
  assert.is(sum, 0, "validation entry checksum");
  assert.equal([iso[catalog], iso[catalog + 1], iso[catalog + 30], iso[catalog + 31]], [1, 0, 0x55, 0xaa]);
  assert.equal([iso[catalog + 32], iso[catalog + 33], iso.readUInt16LE(catalog + 34), iso.readUInt16LE(catalog + 38)], [0x88, 0, 0, 4]);
  assert.equal([iso[catalog + 64], iso[catalog + 65], iso.readUInt16LE(catalog + 66), iso[catalog + 96]], [0x91, 0xef, 1, 0x88]);

  // The boot info table: PVD at 16, the file's own LBA and length, the sum of its words from 64.
  const lba = iso.readUInt32LE(catalog + 40);
  const file = iso.subarray(lba * 2048, lba * 2048 + callerBytes.length);
  let words = 0;
  for (let at = 64; at < before.length; at += 4) words = (words + Buffer.concat([before.subarray(at, at + 4), Buffer.alloc(4)]).readUInt32LE(0)) >>> 0;
  assert.equal([file.readUInt32LE(8), file.readUInt32LE(12), file.readUInt32LE(16), file.readUInt32LE(20)], [16, lba, before.length, words]);
  assert.ok(file.subarray(24, 64).equals(Buffer.alloc(40)), "reserved bytes of the table are zero");
  assert.ok(file.subarray(0, 8).equals(before.subarray(0, 8)) && file.subarray(64).equals(before.subarray(64)), "only the table changes");
  // The directory record of isolinux.bin points at the same sector.
  const pvdRoot = readDirectory(iso, iso.readUInt32LE(16 * 2048 + 158), iso.readUInt32LE(16 * 2048 + 166));
  const isolinuxDir = pvdRoot.find((r) => r.identifier === "ISOLINUX");
  const record = readDirectory(iso, isolinuxDir?.lba ?? 0, isolinuxDir?.size ?? 0).find((r) => r.identifier === "ISOLINUX.BIN;1");
  assert.is(record?.lba, lba);
});

test("an EFI image over 65535 sectors of 512 bytes gets sector count 0, as xorriso writes it", () => {
  const iso = image(bootOptions(new Uint8Array(65536 * 512)));
  const catalog = iso.readUInt32LE(17 * 2048 + 0x47) * 2048;
  assert.is(iso.readUInt16LE(catalog + 96 + 6), 0);
  const small = image(bootOptions(new Uint8Array(65535 * 512)));
  assert.is(small.readUInt16LE(small.readUInt32LE(17 * 2048 + 0x47) * 2048 + 96 + 6), 65535);
});

test("directory records are in ECMA-119 order and both path tables agree", () => {
  const names = ["A_", "AB/X", "A.B", "A", "1.Z", "A.A"];
  const iso = image({ volumeId: "ORDER", epoch: EPOCH, files: names.map((n, i) => ({ path: `/${n}`, bytes: pattern(10, i) })) });
  const root = readDirectory(iso, iso.readUInt32LE(16 * 2048 + 158), iso.readUInt32LE(16 * 2048 + 166));
  assert.equal(root.map((r) => r.identifier), ["\u0000", "\u0001", "1.Z;1", "A.;1", "A.A;1", "A.B;1", "AB", "A_.;1"]);
  assert.equal(root.map((r) => r.directory), [true, true, false, false, false, false, true, false]);
  const size = iso.readUInt32LE(16 * 2048 + 132);
  const l = iso.subarray(iso.readUInt32LE(16 * 2048 + 140) * 2048).subarray(0, size);
  const m = iso.subarray(iso.readUInt32BE(16 * 2048 + 148) * 2048).subarray(0, size);
  // Root (identifier 0x00, parent 1), then AB (parent 1), at the LBAs the records give.
  assert.equal([l[0], l.readUInt32LE(2), l.readUInt16LE(6), l[8]], [1, root[0]?.lba, 1, 0]);
  assert.equal([m[0], m.readUInt32BE(2), m.readUInt16BE(6), m[8]], [1, root[0]?.lba, 1, 0]);
  assert.equal([l[10], l.readUInt32LE(12), l.readUInt16LE(16), l.subarray(18, 20).toString()], [2, root[6]?.lba, 1, "AB"]);
  assert.equal([m[10], m.readUInt32BE(12), m.readUInt16BE(16), m.subarray(18, 20).toString()], [2, root[6]?.lba, 1, "AB"]);
  assert.is(size, 20);
});

test("the same input gives the same bytes; the dates are the epoch's; another epoch gives other bytes", () => {
  const a = image(bootOptions());
  const b = image(bootOptions());
  assert.ok(a.equals(b));
  const pvd = 16 * 2048;
  assert.is(a.subarray(pvd + 813, pvd + 829).toString("latin1"), "2023111422132000");
  assert.is(a.subarray(pvd + 847, pvd + 863).toString("latin1"), "0000000000000000");
  assert.is(a.subarray(pvd + 574, pvd + 578).toString("latin1"), "MCC ");
  assert.equal([...a.subarray(pvd + 156 + 18, pvd + 156 + 25)], [123, 11, 14, 22, 13, 20, 0]);
  const c = image({ ...bootOptions(), epoch: EPOCH + 1 });
  assert.is(c.length, a.length);
  assert.not.ok(a.equals(c));
});

test("large file contents are passed through as given, not copied", () => {
  const kernel = pattern(3 * 1024 * 1024, 5);
  const chunks = writeIso({ volumeId: "PASS", epoch: 0, files: [{ path: "/MCC/VMLINUZ", bytes: kernel }] });
  assert.ok(chunks.some((c) => c.buffer === kernel.buffer && c.length === kernel.length));
  assert.is(chunks.reduce((n, c) => n + c.length, 0) % 2048, 0);
});

test("names and options that do not fit are refused with a message naming the rule", () => {
  const one = (path: string) => () => writeIso({ volumeId: "X", epoch: 0, files: [{ path, bytes: new Uint8Array(1) }] });
  assert.throws(one("/LONGERNAME.TXT"), /"LONGERNAME.TXT" in "\/LONGERNAME.TXT" is not a level 1 name: a file name has 1 to 8 characters/);
  assert.throws(one("/A.TEXT"), /an extension has 1 to 3 characters/);
  assert.throws(one("/A-B.TXT"), /only A-Z, 0-9, _ and one dot/);
  assert.throws(one("/A.B.C"), /only A-Z, 0-9, _ and one dot/);
  assert.throws(one("/DIR.X/FILE"), /a directory name has 1 to 8 characters|only A-Z, 0-9 and _/);
  assert.throws(one("/A/B/C/D/E/F/G/H/FILE"), /deeper than the 8 directory levels/);
  assert.throws(one("relative/FILE"), /is not an absolute path/);
  assert.throws(one("/A/../FILE"), /is not a normal path/);
  assert.throws(() => writeIso({ volumeId: "X", epoch: 0, files: [{ path: "/a", bytes: new Uint8Array(1) }, { path: "/A", bytes: new Uint8Array(1) }] }), /"\/A" is given twice/);
  assert.throws(() => writeIso({ volumeId: "has space", epoch: 0, files: [] }), /volume id "has space"/);
  assert.throws(() => writeIso({ volumeId: "X", epoch: -1, files: [] }), /epoch -1/);
  assert.throws(() => writeIso({ volumeId: "X", epoch: 0, files: [], boot: { efi: { image: "/EFI.IMG" } } }), /EFI boot image "\/EFI.IMG" is not one of the files/);
});

test("an EFI-only ISO boots from a catalog outside the tree, with the EFI image as the default entry", async () => {
  await withTempDir((dir) => {
    const iso = join(dir, "efi.iso");
    writeFileSync(iso, image({ volumeId: "EFI", epoch: EPOCH, files: [{ path: "/EFI.IMG", bytes: pattern(4096, 1) }], boot: { efi: { image: "/EFI.IMG" } } }));
    const report = run("xorriso", ["-indev", iso, "-report_el_torito", "plain"]);
    assert.is(report.status, 0, report.stderr);
    assert.match(report.stdout, /El Torito boot img :\s+1\s+UEFI\s+y\s+none\s+0x0000\s+0x00\s+8\s+\d+/);
    const out = join(dir, "out");
    mkdirSync(out);
    const listing = run("xorriso", ["-indev", iso, "-find", "/", "-type", "f"]);
    assert.equal(listing.stdout.trim().split("\n"), ["'/EFI.IMG'"]);
  });
});

test("an alias names sectors inside another file: written once, read back as the range, and the image is smaller by it", async () => {
  if (!hasTool("xorriso")) assert.unreachable("xorriso is needed");
  const container = pattern(5 * 2048 + 100, 4);
  const files = [{ path: "/EFI/ESP.IMG", bytes: container }];
  const aliases = [{ path: "/MCC/VMLINUZ", of: "/EFI/ESP.IMG", offset: 2 * 2048, size: 2048 + 7 }];
  const withAlias = Buffer.concat(writeIso({ volumeId: "A", epoch: EPOCH, files, aliases }));
  const copied = Buffer.concat(writeIso({ volumeId: "A", epoch: EPOCH, files: [...files, { path: "/MCC/VMLINUZ", bytes: container.subarray(4096, 4096 + 2048 + 7) }] }));
  assert.is(copied.length - withAlias.length, 2 * 2048);
  await withTempDir((dir) => {
    const iso = join(dir, "a.iso");
    writeFileSync(iso, withAlias);
    const toc = run("xorriso", ["-indev", iso, "-toc"]);
    assert.is(toc.status, 0, toc.stderr);
    const out = join(dir, "VMLINUZ");
    assert.is(run("xorriso", ["-osirrox", "on", "-indev", iso, "-extract", "/MCC/VMLINUZ", out]).status, 0);
    assert.equal(readFileSync(out), Buffer.from(container.subarray(4096, 4096 + 2048 + 7)));
  });
  assert.throws(() => writeIso({ volumeId: "A", epoch: EPOCH, files, aliases: [{ ...aliases[0]!, offset: 100 }] }), /not a sector-aligned range/);
  assert.throws(() => writeIso({ volumeId: "A", epoch: EPOCH, files, aliases: [{ ...aliases[0]!, of: "/NOPE" }] }), /not one of the files/);
});

test.run();
