// The initramfs archive read back by Debian's cpio and gzip: the same names, types, modes,
// owners, link targets, device numbers and bytes; and the same bytes every time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageEntry, ImageTree } from "../../src/assemble/image-tree.js";
import { newcArchive } from "../../src/boot/cpio.js";
import { gzipStable } from "../../src/formats/stable-gzip.js";
import { buildInitramfs, initramfsEntries } from "../../src/boot/initramfs.js";
import { needTools } from "../support/tools.js";


/** A small tree with each kind of entry; one file comes from the "cache" (a blob). */
function sampleTree(): { tree: ImageTree; blobs: Map<string, Uint8Array> } {
  const big = new Uint8Array(200_003);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) % 256;
  const blob = createHash("sha256").update(big).digest("hex");
  const dir = (path: string, uid = 0): ImageEntry => ({ kind: "directory", path, mode: 0o755, uid, gid: uid });
  const file = (path: string, mode: number, source: { blob: string } | { bytes: Uint8Array }, size: number): ImageEntry => ({ kind: "file", path, mode, uid: 0, gid: 0, size, source, pkg: "t" });
  const odd = new TextEncoder().encode("three"); // 5 bytes: the padding after it matters
  const entries: ImageEntry[] = [
    { kind: "symlink", path: "/bin", target: "usr/bin", uid: 0, gid: 0, pkg: "(mcc)" },
    dir("/etc"),
    file("/etc/empty", 0o644, { bytes: new Uint8Array(0) }, 0),
    file("/etc/odd", 0o600, { bytes: odd }, odd.length),
    dir("/read", 1000),
    dir("/usr"),
    dir("/usr/bin"),
    file("/usr/bin/big", 0o755, { blob }, big.length),
    dir("/write", 1000),
  ];
  return { tree: { entries, reasons: new Map() }, blobs: new Map([[blob, big]]) };
}

function must<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

const init = new TextEncoder().encode("\x7fELF not really an init");

async function sampleInitramfs(): Promise<Uint8Array> {
  const { tree, blobs } = sampleTree();
  return buildInitramfs(tree, init, async (sha) => must(blobs.get(sha), `no blob ${sha}`), 0);
}

function cpio(args: string[], input: Uint8Array, cwd?: string): string {
  const run = spawnSync("cpio", args, { input, cwd, encoding: "utf8" });
  assert.is(run.status, 0, `cpio ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

test("the entries: the tree's, /init, /dev/console and the mount points, sorted in byte order", async () => {
  const { tree, blobs } = sampleTree();
  const entries = await initramfsEntries(tree, init, async (sha) => blobs.get(sha) as Uint8Array);
  assert.equal(
    entries.map((e) => e.path),
    ["/bin", "/dev", "/dev/console", "/etc", "/etc/empty", "/etc/odd", "/init", "/proc", "/read", "/run", "/sys", "/usr", "/usr/bin", "/usr/bin/big", "/write"],
  );
});

test("a tree with its own /init is refused", async () => {
  const tree: ImageTree = { entries: [{ kind: "file", path: "/init", mode: 0o755, uid: 0, gid: 0, size: 0, source: { bytes: new Uint8Array(0) }, pkg: "x" }], reasons: new Map() };
  try {
    await initramfsEntries(tree, init, async () => new Uint8Array(0));
    assert.unreachable("accepted");
  } catch (error) {
    assert.match((error as Error).message, /own \/init/);
  }
});

test("cpio -t lists the names in order, and cpio -tv shows types, modes, owners, the console's 5, 1 and link targets", async () => {
  needTools("cpio");
  const archive = gunzipSync(await sampleInitramfs());
  assert.equal(cpio(["-t", "--quiet"], archive).trim().split("\n"), [
    "bin", "dev", "dev/console", "etc", "etc/empty", "etc/odd", "init", "proc", "read", "run", "sys", "usr", "usr/bin", "usr/bin/big", "write",
  ]);
  const long = cpio(["-tv", "--quiet", "--numeric-uid-gid"], archive).trim().split("\n");
  const line = (name: string) => must(long.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `)), `no ${name} in\n${long.join("\n")}`);
  assert.match(line("dev/console"), /^crw------- +1 0 +0 +5, +1 /);
  assert.match(line("bin"), /^lrwxrwxrwx +1 0 +0 .* bin -> usr\/bin$/);
  assert.match(line("init"), new RegExp(`^-rwxr-xr-x +1 0 +0 +${init.length} `));
  assert.match(line("etc/odd"), /^-rw------- +1 0 +0 +5 /);
  assert.match(line("write"), /^drwxr-xr-x +2 1000 +1000 /);
  assert.match(line("usr/bin/big"), /^-rwxr-xr-x +1 0 +0 +200003 /);
  // Every mtime is the epoch.
  for (const l of long) assert.match(l, / Jan  1  1970 /);
});

test("cpio -idv unpacks the same bytes, modes and link targets", async () => {
  needTools("cpio");
  const dir = mkdtempSync(join(tmpdir(), "mcc-cpio-"));
  try {
    const { blobs } = sampleTree();
    // Without --no-absolute-filenames cpio would still write below dir: newc names are relative.
    cpio(["-idv", "--quiet", "--no-preserve-owner"], gunzipSync(await sampleInitramfs()), dir);
    assert.equal(readFileSync(join(dir, "usr/bin/big")), Buffer.from([...blobs.values()][0] as Uint8Array));
    assert.is(readFileSync(join(dir, "etc/odd"), "utf8"), "three");
    assert.is(readFileSync(join(dir, "etc/empty")).length, 0);
    assert.equal(readFileSync(join(dir, "init")), Buffer.from(init));
    assert.is(lstatSync(join(dir, "init")).mode & 0o7777, 0o755);
    assert.is(lstatSync(join(dir, "etc/odd")).mode & 0o7777, 0o600);
    assert.is(readlinkSync(join(dir, "bin")), "usr/bin");
    assert.ok(lstatSync(join(dir, "proc")).isDirectory());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the gzip is byte-stable and valid: the same input twice gives the same bytes, gzip -t passes", async () => {
  const a = await sampleInitramfs();
  const b = await sampleInitramfs();
  assert.equal(Buffer.from(a), Buffer.from(b));
  // How the input is cut into chunks does not matter either.
  const { tree, blobs } = sampleTree();
  const whole = Buffer.concat(newcArchive(await initramfsEntries(tree, init, async (s) => blobs.get(s) as Uint8Array), 0));
  for (const n of [7, 4096, 65_537]) {
    const chunks = Array.from({ length: Math.ceil(whole.length / n) }, (_, i) => whole.subarray(i * n, (i + 1) * n));
    assert.equal(Buffer.from(gzipStable(chunks)), Buffer.from(a), `cut every ${n} bytes`);
  }
  const dir = mkdtempSync(join(tmpdir(), "mcc-gz-"));
  try {
    writeFileSync(join(dir, "initrd.gz"), a);
    const check = spawnSync("gzip", ["-t", join(dir, "initrd.gz")], { encoding: "utf8" });
    assert.is(check.status, 0, check.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("newc framing: 110-byte headers, names and data padded to 4 bytes, the trailer last", () => {
  const chunks = newcArchive([{ kind: "file", path: "/a", mode: 0o644, uid: 1, gid: 2, data: new Uint8Array([1, 2, 3]) }], 1_700_000_000);
  const bytes = Buffer.concat(chunks);
  assert.is(bytes.length % 4, 0);
  const head = bytes.subarray(0, 110).toString("ascii");
  assert.is(head.slice(0, 6), "070701");
  const field = (i: number) => parseInt(head.slice(6 + 8 * i, 14 + 8 * i), 16);
  assert.equal([field(0), field(1), field(2), field(3), field(4), field(5), field(6), field(11)], [1, 0o100644, 1, 2, 1, 1_700_000_000, 3, 2]);
  // header (110) + "a\0" = 112, already aligned; data 3 bytes + 1 pad.
  assert.equal([...bytes.subarray(112, 116)], [1, 2, 3, 0]);
  assert.is(bytes.subarray(116, 122).toString("ascii"), "070701");
  assert.is(bytes.subarray(116 + 110, 116 + 120).toString("ascii"), "TRAILER!!!");
});

test.run();
