// The FAT writer, checked with dosfstools (fsck.vfat) and mtools (mdir, mcopy) on its images,
// and with the ISO writer around it as the EFI boot image.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFat, type FatOptions } from "../../../src/backends/iso/fat.js";
import { planFat } from "../../../src/backends/iso/fat-geometry.js";
import { writeIso } from "../../../src/backends/iso/iso9660.js";
import { hasTool, pattern, run, withTempDir } from "./tools.js";

const EPOCH = 1700000001; // 2023-11-14T22:13:21Z

function espFiles(kernel = 30_000, initrd = 70_000): { path: string; bytes: Uint8Array }[] {
  return [
    { path: "/EFI/BOOT/BOOTX64.EFI", bytes: pattern(100_000, 1) },
    { path: "/EFI/BOOT/GRUB.CFG", bytes: new TextEncoder().encode("linux /MCC/VMLINUZ console=ttyS0\ninitrd /MCC/INITRD.GZ\n") },
    { path: "/MCC/VMLINUZ", bytes: pattern(kernel, 2) },
    { path: "/MCC/INITRD.GZ", bytes: pattern(initrd, 3) },
    { path: "/MCC/EMPTY", bytes: new Uint8Array(0) },
    { path: "/MCC/SECTOR.BIN", bytes: pattern(512, 4) },
    { path: "/MCC/MORE.BIN", bytes: pattern(513, 5) },
    { path: "/a/b/c/d/e/f/g/h/i/deep.txt", bytes: new TextEncoder().encode("deep\n") },
  ];
}

const options = (files = espFiles()): FatOptions => ({ label: "mcc esp", epoch: EPOCH, files });

/** fsck.vfat -n on the image: status 0 and no complaint. */
function fsck(path: string): void {
  const result = run("fsck.vfat", ["-n", path]);
  assert.is(result.status, 0, result.stdout + result.stderr);
  assert.not.match(result.stdout + result.stderr, /differ|invalid|bad|free cluster summary|Reclaimed|orphan|lost/i);
}

/** A file of the image as mcopy reads it, through a file in `dir` so the bytes stay exact. */
function readBack(image: string, path: string, dir: string): Buffer {
  const out = join(dir, "copy");
  const result = run("mcopy", ["-n", "-o", "-i", image, `::${path}`, out]);
  assert.is(result.status, 0, result.stderr);
  return readFileSync(out);
}

const type = (image: Buffer) => image.subarray(54, 62).toString("latin1");
const clusterCount = (image: Buffer) => {
  const total = image.readUInt16LE(19) || image.readUInt32LE(32);
  const rootSectors = (image.readUInt16LE(17) * 32) / 512;
  const dataStart = image.readUInt16LE(14) + (image[16] ?? 0) * image.readUInt16LE(22) + rootSectors;
  return Math.floor((total - dataStart) / (image[13] ?? 1));
};

test("the Debian tools the FAT tests drive are installed (dosfstools, mtools)", () => {
  assert.ok(hasTool("fsck.vfat"), "fsck.vfat (Debian package dosfstools) is needed");
  assert.ok(hasTool("mdir") && hasTool("mcopy"), "mdir and mcopy (Debian package mtools) are needed");
});

test("a small ESP is FAT12, passes fsck.vfat, and mtools lists and copies the files back", async () => {
  await withTempDir((dir) => {
    const img = join(dir, "esp.img");
    const bytes = writeFat(options());
    writeFileSync(img, bytes);
    assert.is(type(bytes), "FAT12   ");
    assert.ok(clusterCount(bytes) < 4085 - 16);
    fsck(img);
    const listing = run("mdir", ["-b", "-i", img, "::/EFI/BOOT"]);
    assert.is(listing.status, 0, listing.stderr);
    assert.equal(listing.stdout.trim().split("\n").sort(), ["::/EFI/BOOT/BOOTX64.EFI", "::/EFI/BOOT/GRUB.CFG"]);
    const label = run("mlabel", ["-s", "-i", img, "::"]);
    assert.match(label.stdout, /Volume label is MCC ESP/);
    for (const file of espFiles()) {
      const back = readBack(img, file.path.toUpperCase(), dir);
      assert.ok(Buffer.from(file.bytes).equals(back), `${file.path} comes back with other bytes (${back.length} of ${file.bytes.length})`);
    }
  });
});

test("a kernel of 8 MB and an initrd of 40 MB make a FAT16 ESP that reads back byte for byte", async () => {
  await withTempDir((dir) => {
    const files = espFiles(8_000_000, 40_000_000);
    const img = join(dir, "big.img");
    const bytes = writeFat(options(files));
    writeFileSync(img, bytes);
    assert.is(type(bytes), "FAT16   ");
    const count = clusterCount(bytes);
    assert.ok(count >= 4085 + 16 && count < 65525 - 16, `${count} clusters`);
    // Small slack: the image is within a few percent of the content.
    const content = files.reduce((n, f) => n + f.bytes.length, 0);
    assert.ok(bytes.length < content * 1.05 + 64 * 1024, `${bytes.length} bytes for ${content}`);
    fsck(img);
    for (const file of files.slice(2, 4)) {
      const back = readBack(img, file.path, dir);
      assert.is(createHash("sha256").update(back).digest("hex"), createHash("sha256").update(file.bytes).digest("hex"));
    }
  });
});

test("the FAT type follows the cluster count, which never lands near a limit", () => {
  for (let needed = 1; needed < 200_000; needed = Math.ceil(needed * 1.01) + 1) {
    const g = planFat((cluster) => Math.ceil((needed * 512) / cluster), 10);
    assert.ok(g.clusterCount < 4085 - 16 || (g.clusterCount >= 4085 + 16 && g.clusterCount < 65525 - 16), `${g.clusterCount}`);
    assert.is(g.type, g.clusterCount < 4085 ? 12 : 16);
    assert.ok(g.clusterCount * g.sectorsPerCluster * 512 >= needed * 512);
    assert.ok(g.sectorsPerFat * 512 * 8 >= (g.clusterCount + 2) * g.type, "the FAT has an entry for every cluster");
    assert.is(g.totalSectors, g.dataStart + g.clusterCount * g.sectorsPerCluster);
  }
  assert.throws(() => planFat(() => 70_000 * 64, 1), /FAT32 is not written/);
});

test("the same files give the same image; the epoch and the content change it", () => {
  const a = writeFat(options());
  assert.ok(a.equals(writeFat(options())));
  const later = writeFat({ ...options(), epoch: EPOCH + 2 });
  assert.not.ok(a.equals(later));
  const other = espFiles();
  other[2] = { path: "/MCC/VMLINUZ", bytes: pattern(30_000, 9) };
  assert.not.ok(a.readUInt32LE(39) === writeFat(options(other)).readUInt32LE(39), "the serial follows the content");
  // Epoch 0 is before FAT's earliest date: 1980-01-01 00:00:00.
  const zero = writeFat({ ...options(), epoch: 0 });
  const rootEntry = (zero.readUInt16LE(14) + 2 * zero.readUInt16LE(22)) * 512 + 32;
  assert.equal([zero.readUInt16LE(rootEntry + 24), zero.readUInt16LE(rootEntry + 22)], [(0 << 9) | (1 << 5) | 1, 0]);
  // 2023-11-14 22:13:21: date, time (seconds / 2) and the odd second in the hundredths.
  const entry = (a.readUInt16LE(14) + 2 * a.readUInt16LE(22)) * 512 + 32;
  assert.equal([a.readUInt16LE(entry + 24), a.readUInt16LE(entry + 22), a[entry + 13]], [(43 << 9) | (11 << 5) | 14, (22 << 11) | (13 << 5) | 10, 100]);
});

test("names that are not valid long names are refused with a message naming the rule", () => {
  const one = (path: string) => () => writeFat({ label: "X", epoch: 0, files: [{ path, bytes: new Uint8Array(1) }] });
  // Not 8.3, but long names now: LOADER.CONF, VERYLONGNAME.EFI, A B.TXT, A.B.C, .HIDDEN.
  for (const path of ["/LOADER/LOADER.CONF", "/VERYLONGNAME.EFI", "/A B.TXT", "/A.B.C", "/.HIDDEN"]) writeFat({ label: "X", epoch: 0, files: [{ path, bytes: new Uint8Array(1) }] });
  assert.throws(one("/loader/a?.conf"), /"a\?.conf" in "\/loader\/a\?.conf" is not a valid long name: no control characters and none of/);
  assert.throws(one("/a\tb"), /no control characters/);
  assert.throws(one(`/${"x".repeat(256)}`), /at most 255 characters, not 256/);
  assert.throws(one("/trailing."), /no trailing dot/);
  assert.throws(one("/ leading"), /no leading or trailing space/);
  assert.throws(one("/emoji\u{1F600}.conf"), /only UCS-2 characters/);
  assert.throws(() => writeFat({ label: "TWELVE CHARS", epoch: 0, files: [] }), /the label "TWELVE CHARS"/);
  assert.throws(() => writeFat({ label: "X", epoch: 0.5, files: [] }), /epoch 0.5/);
});

test("the FAT image boots as the ISO's EFI entry: the ISO's copy passes fsck.vfat", async () => {
  await withTempDir((dir) => {
    const esp = writeFat(options());
    const iso = join(dir, "efi.iso");
    writeFileSync(iso, Buffer.concat(writeIso({ volumeId: "MCC", epoch: EPOCH, files: [{ path: "/EFI/ESP.IMG", bytes: esp }], boot: { efi: { image: "/EFI/ESP.IMG" } } })));
    const report = run("xorriso", ["-indev", iso, "-report_el_torito", "plain"]);
    assert.match(report.stdout, new RegExp(`UEFI\\s+y\\s+none\\s+0x0000\\s+0x00\\s+${esp.length / 512}\\s`));
    const out = join(dir, "esp.img");
    const extract = run("xorriso", ["-osirrox", "on", "-indev", iso, "-extract", "/EFI/ESP.IMG", out]);
    assert.is(extract.status, 0, extract.stderr);
    assert.ok(readFileSync(out).equals(esp));
    fsck(out);
  });
});

test.run();
