// A build killed at any moment (SIGKILL, no chance to clean up) leaves no output that looks
// complete and no corrupt cache entry, and the next build succeeds with the same bytes.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";

const bin = join(repoRoot, "dist", "cli", "main.js");
const spec = join(repoRoot, "examples", "curl.yml");

function compile(out: string, cache: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "compile", spec, "-o", out, "-q", "--arch", "amd64", "--cache", cache], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

/** Every blob in the cache hashes to its name. */
function assertCacheIntact(cache: string): number {
  const root = join(cache, "blobs", "sha256");
  let n = 0;
  if (!existsSync(root)) return n;
  for (const dir of readdirSync(root)) {
    for (const name of readdirSync(join(root, dir))) {
      const digest = createHash("sha256").update(readFileSync(join(root, dir, name))).digest("hex");
      assert.is(digest, name, `cache blob ${name} is corrupt`);
      n++;
    }
  }
  return n;
}

test("SIGKILL during a cold build, at several moments: no complete-looking output, no corrupt cache, then success", async () => {
  const work = mkdtempSync(join(tmpdir(), "mcc-kill-"));
  const cache = join(work, "cache");
  const out = join(work, "curl");
  try {
    for (const ms of [300, 900, 1600, 2600]) {
      const child = spawn(process.execPath, [bin, "compile", spec, "-o", out, "-q", "--arch", "amd64", "--cache", cache], { stdio: "ignore" });
      // Listened for from the start: a later run, with the earlier ones' downloads in the cache,
      // may finish before its moment comes.
      const closed = new Promise((resolve) => child.on("close", resolve));
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, ms))]);
      child.kill("SIGKILL");
      await closed;
      // Either nothing, or a whole layout from a run that finished before the kill.
      if (existsSync(out)) assert.ok(existsSync(join(out, "index.json")), `a partial layout after ${ms} ms`);
      assertCacheIntact(cache);
    }
    const done = compile(out, cache);
    assert.is(done.status, 0, done.stderr);
    assert.ok(assertCacheIntact(cache) > 0);
    const again = join(work, "again");
    assert.is(compile(again, join(work, "fresh-cache")).status, 0);
    assert.is(readFileSync(join(out, "index.json"), "utf8"), readFileSync(join(again, "index.json"), "utf8"));
    // No hidden temporaries beside the output.
    assert.equal(readdirSync(work).filter((n) => n.startsWith(".")), []);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("an unwritable output place is a clear error, and the cache stays intact", () => {
  const work = mkdtempSync(join(tmpdir(), "mcc-unwritable-"));
  try {
    // A regular file where the output's directory should be.
    const blocker = join(work, "file");
    spawnSync("sh", ["-c", `echo x > ${blocker}`]);
    const r = compile(join(blocker, "curl"), join(work, "cache"));
    assert.is.not(r.status, 0);
    assert.match(r.stderr, /(ENOTDIR|EEXIST|not a directory|file already exists)/i);
    assert.not.match(r.stderr, /internal error/);
    assertCacheIntact(join(work, "cache"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("a full disk under the output is a clear error, and leaves nothing there", () => {
  const work = mkdtempSync(join(tmpdir(), "mcc-full-"));
  const small = join(work, "small");
  spawnSync("mkdir", [small]);
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]);
  assert.is(mounted.status, 0, `a 1 MiB tmpfs is needed for this test (root): ${mounted.stderr}`);
  try {
    const cache = sharedTestCache;
    const r = compile(join(small, "curl"), cache);
    assert.is(r.status, 1);
    assert.match(r.stderr, /^mcc: error: cannot write .*\/small\/curl: ENOSPC/);
    assert.equal(readdirSync(small), [], "the half-written temporary is gone");
  } finally {
    spawnSync("umount", [small]);
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
