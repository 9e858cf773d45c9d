// The FAT writer, checked with dosfstools (fsck.vfat) and mtools (mdir, mcopy) on its images,
// and with the ISO writer around it as the EFI boot image.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFat, writeFatImage, type FatOptions } from "../../../src/backends/iso/fat.js";
import { planFat } from "../../../src/backends/iso/fat-geometry.js";
import { writeIso } from "../../../src/backends/iso/iso9660.js";
import { clusterChain, readFatDirectory, readFatPath } from "./fat-reader.js";
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

// Long names (VFAT): systemd-boot's files on the ESP.

const text = (s: string) => new TextEncoder().encode(s);
/** 52 characters: four long-name entries, the last one partly filled. */
const LONG = "mcc-6.1.0-with-a-rather-long-title-for-an-entry.conf";
/** 26 characters: exactly two entries, so no 0x0000 terminator and no padding. */
const EXACT = "twenty-six-characters.conf";

function loaderFiles(): { path: string; bytes: Uint8Array }[] {
  return [
    { path: "/EFI/BOOT/BOOTX64.EFI", bytes: pattern(100_000, 1) },
    { path: "/loader/loader.conf", bytes: text("timeout 3\ndefault mcc.conf\n") },
    { path: "/loader/entries/mcc.conf", bytes: text("title mcc\nlinux /mcc/vmlinuz\noptions console=ttyS0\n") },
    { path: `/loader/entries/${LONG}`, bytes: text("title long\n") },
    { path: "/loader/entries/verylongname1.conf", bytes: text("title one\n") },
    { path: "/loader/entries/verylongname2.conf", bytes: text("title two\n") },
    { path: `/loader/entries/${EXACT}`, bytes: text("title exact\n") },
  ];
}

/** fsck.vfat -n with nothing to say: its version line and the summary line, no more. */
function fsckQuiet(path: string): void {
  const result = run("fsck.vfat", ["-n", path]);
  const output = (result.stdout + result.stderr).trim();
  assert.is(result.status, 0, output);
  const lines = output.split("\n");
  assert.is(lines.length, 2, output);
  assert.match(lines[0] ?? "", /^fsck\.fat \S+/);
  assert.match(lines[1] ?? "", /: \d+ files, \d+\/\d+ clusters$/);
}

/** mdir's plain listing of a directory: each entry's short name (`BASE.EXT`) and long name ("" when none). */
function mdirNames(image: string, dir: string): [string, string][] {
  const listing = run("mdir", ["-i", image, `::${dir}`]);
  assert.is(listing.status, 0, listing.stderr);
  const out: [string, string][] = [];
  for (const line of listing.stdout.split("\n")) {
    const m = /^(.{8}) (.{3}) +(?:<DIR>|\d[\d ]*) +\d{4}-\d\d-\d\d +\d\d:\d\d(?: +(.*))?$/.exec(line);
    if (m === null) continue;
    const base = (m[1] ?? "").trim();
    const ext = (m[2] ?? "").trim();
    out.push([ext === "" ? base : `${base}.${ext}`, (m[3] ?? "").trimEnd()]);
  }
  return out;
}

/** A file's bytes as `mcopy ... -` writes them to its standard output. */
function mcopyOut(image: string, path: string): Buffer {
  const result = spawnSync("mcopy", ["-i", image, `::${path}`, "-"]);
  assert.is(result.status, 0, result.stderr?.toString());
  return result.stdout;
}

/** The short-name checksum, as the specification's C writes it. */
function checksum(short: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = ((sum & 1 ? 0x80 : 0) + (sum >> 1) + (short[i] ?? 0)) & 0xff;
  return sum;
}

test("systemd-boot's layout (/loader/loader.conf, /loader/entries/*.conf) passes fsck.vfat, and mtools lists the long names and copies the bytes back", async () => {
  await withTempDir((dir) => {
    const img = join(dir, "loader.img");
    writeFileSync(img, writeFat(options(loaderFiles())));
    fsckQuiet(img);
    assert.equal(mdirNames(img, "/loader/entries"), [
      [".", ""],
      ["..", ""],
      ["MCC-61~1.CON", LONG],
      ["MCC~1.CON", "mcc.conf"],
      ["TWENTY~1.CON", EXACT],
      ["VERYLO~1.CON", "verylongname1.conf"],
      ["VERYLO~2.CON", "verylongname2.conf"],
    ]);
    // Upper-case 8.3 names keep their short entry alone; the rest sort after them.
    assert.equal(mdirNames(img, "/"), [["EFI", ""], ["LOADER~1", "loader"]]);
    assert.equal(mdirNames(img, "/loader"), [[".", ""], ["..", ""], ["ENTRIE~1", "entries"], ["LOADER~1.CON", "loader.conf"]]);
    assert.equal(mdirNames(img, "/EFI/BOOT"), [[".", ""], ["..", ""], ["BOOTX64.EFI", ""]]);
    const listing = run("mdir", ["-b", "-i", img, "::/loader/entries"]);
    assert.equal(listing.stdout.trim().split("\n"), ["::/loader/entries/" + LONG, "::/loader/entries/mcc.conf", "::/loader/entries/" + EXACT, "::/loader/entries/verylongname1.conf", "::/loader/entries/verylongname2.conf"]);
    for (const file of loaderFiles()) assert.ok(mcopyOut(img, file.path).equals(Buffer.from(file.bytes)), file.path);
    // Tools look names up regardless of case, by the long name or by the alias.
    const mcc = Buffer.from(loaderFiles()[2]?.bytes ?? []);
    for (const path of ["/LOADER/ENTRIES/MCC.CONF", "/Loader/Entries/Mcc.Conf", "/LOADER~1/ENTRIE~1/MCC~1.CON"]) assert.ok(mcopyOut(img, path).equals(mcc), path);
  });
});

test("long-name entries read back: 0x0F, sequence numbers down to 1 with 0x40 on the first, the alias's checksum, UCS-2 padded with 0x0000 then 0xFFFF", () => {
  const image = writeFat(options(loaderFiles()));
  const entries = readFatPath(image, "/loader/entries").filter((e) => e.longName !== undefined);
  assert.equal(entries.map((e) => e.longName), [LONG, "mcc.conf", EXACT, "verylongname1.conf", "verylongname2.conf"]);
  const offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
  for (const entry of entries) {
    const name = entry.longName ?? "";
    const count = Math.ceil(name.length / 13);
    assert.is(entry.long.length, count, name);
    const units = [...name].map((c) => c.charCodeAt(0));
    if (name.length % 13 !== 0) units.push(0x0000);
    while (units.length < count * 13) units.push(0xffff);
    for (const [i, long] of entry.long.entries()) {
      const n = count - i;
      assert.is(long[0], n === count ? 0x40 | n : n, `${name}: sequence number of entry ${i}`);
      assert.is(long[11], 0x0f);
      assert.is(long[12], 0);
      assert.is(long[13], checksum(entry.short), `${name}: checksum`);
      assert.is(long.readUInt16LE(26), 0);
      assert.equal(offsets.map((o) => long.readUInt16LE(o)), units.slice((n - 1) * 13, n * 13), `${name}: characters of part ${n}`);
    }
  }
  const [long] = entries;
  assert.is(long?.long[0]?.[0], 0x44, "52 characters take four entries, the first on disk being 0x40 | 4");
  assert.is(entries[2]?.long[0]?.readUInt16LE(30), "f".charCodeAt(0), "26 characters fill two entries to the end, with no terminator");
  // A short upper-case name has no long-name entry in front of it.
  assert.equal(readFatPath(image, "/EFI/BOOT").map((e) => [e.shortName, e.long.length]), [[".", 0], ["..", 0], ["BOOTX64.EFI", 0]]);
});

test("numeric tails: unique in their directory, counting up in the directory's order, past names already taken", async () => {
  const files = [
    ...Array.from({ length: 11 }, (_, i) => ({ path: `/e/verylongname${String(i + 1).padStart(2, "0")}.conf`, bytes: text(`${i}\n`) })),
    { path: "/e/MCC~1.CON", bytes: text("a short name that looks like an alias\n") },
    { path: "/e/mcc.conf", bytes: text("mcc\n") },
    { path: "/e/.hidden", bytes: text("h\n") },
    { path: "/e/a b+c.tar.gz", bytes: text("t\n") },
    { path: "/e/Grüße.txt", bytes: text("u\n") },
  ];
  const image = writeFat(options(files));
  const names = readFatPath(image, "/e").map((e) => [e.shortName, e.longName ?? ""]);
  assert.equal(names, [
    [".", ""],
    ["..", ""],
    ["MCC~1.CON", ""],
    ["HIDDEN~1", ".hidden"],
    ["AB_CTA~1.GZ", "a b+c.tar.gz"],
    ["GR__E~1.TXT", "Grüße.txt"],
    ["MCC~2.CON", "mcc.conf"],
    ...Array.from({ length: 9 }, (_, i) => [`VERYLO~${i + 1}.CON`, `verylongname0${i + 1}.conf`]),
    ["VERYL~10.CON", "verylongname10.conf"],
    ["VERYL~11.CON", "verylongname11.conf"],
  ]);
  await withTempDir((dir) => {
    const img = join(dir, "tails.img");
    writeFileSync(img, image);
    fsckQuiet(img);
    // mtools takes a non-ASCII path in the locale's charset, so Grüße.txt is left to the reader above.
    for (const file of files.filter((f) => /^[\x20-\x7e]*$/.test(f.path))) assert.ok(mcopyOut(img, file.path).equals(Buffer.from(file.bytes)), file.path);
  });
});

test("directories are sized with their long-name entries: a root of 160 entries, a directory of many clusters", async () => {
  const long = (dir: string, i: number) => `${dir}/entry-${String(i).padStart(2, "0")}-with-a-name-of-some-length.conf`; // 40 characters: 4 + 1 entries
  const files = [
    ...Array.from({ length: 30 }, (_, i) => ({ path: long("", i), bytes: text(`root ${i}\n`) })),
    ...Array.from({ length: 40 }, (_, i) => ({ path: long("/many", i), bytes: text(`many ${i}\n`) })),
  ];
  const image = writeFat(options(files));
  assert.is(image.readUInt16LE(17), 160, "1 label + 30 * 5 + 2 for the directory = 153 entries, in whole sectors of 16");
  const many = readFatDirectory(image, 0).find((e) => e.longName === "many");
  assert.ok(many !== undefined);
  const clusterBytes = (image[13] ?? 1) * 512;
  assert.is(clusterChain(image, many.short.readUInt16LE(26)).length, Math.ceil((202 * 32) / clusterBytes));
  const entries = readFatPath(image, "/many");
  assert.is(entries.length, 42);
  assert.is(entries.reduce((n, e) => n + 1 + e.long.length, 0), 202);
  await withTempDir((dir) => {
    const img = join(dir, "sizes.img");
    writeFileSync(img, image);
    fsckQuiet(img);
    const listing = run("mdir", ["-b", "-i", img, "::/many"]);
    assert.equal(listing.stdout.trim().split("\n"), Array.from({ length: 40 }, (_, i) => `::${long("/many", i)}`));
    assert.ok(mcopyOut(img, long("/many", 39)).equals(Buffer.from(text("many 39\n"))));
    assert.ok(mcopyOut(img, long("", 29)).equals(Buffer.from(text("root 29\n"))));
  });
  // 3200 names of 255 characters take 21 entries each: more than the root's 16-bit count holds.
  const crowded = Array.from({ length: 3200 }, (_, i) => ({ path: `/${String(i).padStart(255, "x")}`, bytes: new Uint8Array(0) }));
  assert.throws(() => writeFat(options(crowded)), /the root directory needs 67201 entries \(long names take one per 13 characters\), more than 65520/);
});

test("long names are deterministic: the same files twice, or in another order, give the same bytes", () => {
  const a = writeFat(options(loaderFiles()));
  assert.ok(a.equals(writeFat(options(loaderFiles()))));
  assert.ok(a.equals(writeFat(options([...loaderFiles()].reverse()))));
});

test("upper-case 8.3 names alone give the image they gave before long names, byte for byte", () => {
  const image = writeFat(options(espFiles().slice(0, 7)));
  // The sha256 of this image as written at 2ce606e, before long names.
  assert.is(createHash("sha256").update(image).digest("hex"), "7d2523f02127be32cd4fc64dd885b7ce919a4115913eca06367c190c63e0abcf");
});

test("two names of one directory that differ only in case are refused", () => {
  const files = (...paths: string[]) => () => writeFat({ label: "X", epoch: 0, files: paths.map((path) => ({ path, bytes: new Uint8Array(1) })) });
  assert.throws(files("/loader/loader.conf", "/loader/Loader.conf"), /FAT: "\/loader\/Loader.conf" and "\/loader\/loader.conf" differ only in case, and FAT looks names up regardless of case/);
  assert.throws(files("/EFI/BOOT/BOOTX64.EFI", "/efi/boot/grub.cfg"), /"\/efi" \(of "\/efi\/boot\/grub.cfg"\) and "\/EFI" differ only in case/);
  assert.throws(files("/MCC/VMLINUZ", "/MCC/vmlinuz"), /differ only in case/);
  assert.throws(files("/é/a", "/É/b"), /"\/É" \(of "\/É\/b"\) and "\/é" differ only in case/);
  // Different names in different directories, or the same directory spelt the same, are fine.
  writeFat({ label: "X", epoch: 0, files: [{ path: "/a/mcc.conf", bytes: new Uint8Array(1) }, { path: "/b/MCC.CONF", bytes: new Uint8Array(1) }, { path: "/a/x", bytes: new Uint8Array(1) }] });
});

test("aligned files start on 2048-byte boundaries, and the image still passes fsck.vfat and reads back", async () => {
  if (!hasTool("fsck.vfat") || !hasTool("mcopy")) assert.unreachable("dosfstools and mtools are needed");
  const files = [
    { path: "/EFI/BOOT/BOOTX64.EFI", bytes: pattern(70_001, 1) },
    { path: "/loader/loader.conf", bytes: new TextEncoder().encode("timeout 0\n") },
    { path: "/mcc/amd64/vmlinuz", bytes: pattern(3_000_003, 2) },
    { path: "/mcc/amd64/initrd.gz", bytes: pattern(123_457, 3) },
  ];
  const { image, offsets } = writeFatImage({ label: "MCC-EFI", epoch: 0, files, align: 2048 });
  for (const f of files) {
    const at = offsets.get(f.path);
    assert.ok(at !== undefined && at % 2048 === 0, `${f.path} at ${at}`);
    assert.equal(image.subarray(at, at + f.bytes.length), Buffer.from(f.bytes));
  }
  await withTempDir((dir) => {
    const img = join(dir, "esp.img");
    writeFileSync(img, image);
    const fsck = run("fsck.vfat", ["-n", img]);
    assert.is(fsck.status, 0, fsck.stdout + fsck.stderr);
    const back = spawnSync("mcopy", ["-i", img, "::/mcc/amd64/vmlinuz", "-"], { maxBuffer: 64 << 20 });
    assert.equal(back.stdout, Buffer.from(files[2]!.bytes));
  });
  // Without the option, the image is what it was.
  assert.equal(writeFat({ label: "MCC-EFI", epoch: 0, files }), writeFatImage({ label: "MCC-EFI", epoch: 0, files }).image);
  assert.throws(() => writeFatImage({ label: "X", epoch: 0, files, align: 3000 }), /not a power of two/);
});

test.run();
