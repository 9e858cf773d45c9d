// ext4 with files, read back by e2fsprogs: e2fsck finds nothing to fix, and debugfs lists the
// owners, modes and sizes given and dumps the bytes written, short and long symlinks, an empty
// file, a directory spread over several blocks, and a file long enough to cross block groups
// (more extents than the inode holds, so a leaf block). The same entries give the same bytes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ext4Image, type Ext4Entry } from "../../src/backends/disk/ext4.js";
import { writeNewDisk } from "../../src/cli/commands/disk.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-ext4-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** Written as `mcc disk` writes its images: sparse, renamed into place when whole. */
function write(name: string, image: ReturnType<typeof ext4Image>): string {
  const path = join(work, name);
  const failed = writeNewDisk(createNodeHost(), path, image);
  assert.is(failed, undefined, failed);
  return path;
}

function debugfs(image: string, request: string): string {
  const r = spawnSync("debugfs", ["-R", request, image], { encoding: "latin1", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

function fsck(image: string): void {
  const r = spawnSync("e2fsck", ["-fn", image], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 0, `e2fsck found problems:\n${r.stdout}${r.stderr}`);
}

const dir = (path: string, mode = 0o755, uid = 0, gid = 0): Ext4Entry => ({ path, kind: "dir", mode, uid, gid });
const file = (path: string, data: Uint8Array, mode = 0o644, uid = 0, gid = 0): Ext4Entry => ({ path, kind: "file", data, mode, uid, gid });

test("files, directories and symlinks: e2fsck-clean; owners, modes, sizes and bytes as given; the same bytes twice", () => {
  needTools("e2fsck", "debugfs");
  const many = Array.from({ length: 400 }, (_, i) => file(`/many/file-${String(i).padStart(4, "0")}-with-a-longer-name`, Buffer.alloc(i * 37 + 1, i & 255)));
  const entries: Ext4Entry[] = [
    dir("/bin"),
    file("/bin/hello", Buffer.from("#!/bin/sh\necho hello\n"), 0o755),
    { path: "/bin/sh", kind: "symlink", target: "busybox", mode: 0o777, uid: 0, gid: 0 },
    { path: "/bin/far", kind: "symlink", target: `/${"x".repeat(120)}`, mode: 0o777, uid: 0, gid: 0 },
    dir("/data", 0o750, 70000, 70001),
    file("/data/empty", new Uint8Array(0), 0o600, 70000, 70001),
    dir("/many"),
    ...many,
  ];
  const image = ext4Image({ bytes: 32 * 1024 * 1024, label: "files", entries });
  const path = write("files.img", image);
  fsck(path);
  assert.match(debugfs(path, "cat /bin/hello"), /^#!\/bin\/sh\necho hello\n$/);
  assert.match(debugfs(path, "stat /bin/hello"), /Mode:\s+0755/);
  assert.match(debugfs(path, "stat /bin/sh"), /Fast link dest: "busybox"/);
  assert.match(debugfs(path, "stat /bin/far"), /Size: 121\b/);
  const data = debugfs(path, "stat /data");
  assert.match(data, /User:\s+70000\s+Group:\s+70001/);
  assert.match(data, /Mode:\s+0750/);
  assert.match(debugfs(path, "stat /data/empty"), /Size: 0\b/);
  const listing = debugfs(path, "ls -p /many").split("\n").filter((l) => l.includes("file-"));
  assert.is(listing.length, 400);
  debugfs(path, `dump /many/file-0399-with-a-longer-name ${join(work, "out")}`);
  assert.ok(readFileSync(join(work, "out")).equals(Buffer.alloc(399 * 37 + 1, 399 & 255)));
  const again = ext4Image({ bytes: 32 * 1024 * 1024, label: "files", entries });
  assert.equal(again.chunks.map((c) => [c.at, Buffer.from(c.data).toString("base64")]), image.chunks.map((c) => [c.at, Buffer.from(c.data).toString("base64")]));
});

test("a file across block groups: its extents in a leaf block, its bytes read back whole", () => {
  needTools("e2fsck", "debugfs");
  const big = Buffer.alloc(600 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 1024 * 1024) big.writeUInt32LE(i / (1024 * 1024), i);
  const path = write("big.img", ext4Image({ bytes: 1024 * 1024 * 1024, label: "big", entries: [file("/big", big)] }));
  fsck(path);
  assert.match(debugfs(path, "stat /big"), /\(ETB0\)/);
  debugfs(path, `dump /big ${join(work, "big.out")}`);
  assert.ok(readFileSync(join(work, "big.out")).equals(big));
});

test("entries that do not form a tree, or do not fit, are refused", () => {
  const bytes = 8 * 1024 * 1024;
  assert.throws(() => ext4Image({ bytes, label: "t", entries: [file("/a/b", new Uint8Array(1))] }), /its directory \/a is not given before it/);
  assert.throws(() => ext4Image({ bytes, label: "t", entries: [file("/a", new Uint8Array(1)), file("/a", new Uint8Array(1))] }), /given twice/);
  assert.throws(() => ext4Image({ bytes, label: "t", entries: [file("/lost+found", new Uint8Array(1))] }), /given twice/);
  assert.throws(() => ext4Image({ bytes, label: "t", entries: [file("/a/../b", new Uint8Array(1))] }), /not a path/);
  assert.throws(() => ext4Image({ bytes, label: "t", entries: [file("/big", new Uint8Array(9 * 1024 * 1024))] }), /do not fit/);
});

test.run();
