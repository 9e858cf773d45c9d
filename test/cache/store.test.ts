import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blobPath, createBlobStore, defaultCacheRoot } from "../../src/cache/store.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { repoRoot } from "../helpers.js";

async function* bytes(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

test("blobs live at a pure function of their digest", () => {
  const d = sha("x");
  assert.is(blobPath("/c", d), `/c/blobs/sha256/${d.slice(0, 2)}/${d}`);
  assert.throws(() => blobPath("/c", "../../etc/passwd"));
});

test("a verified put is stored; a mismatch stores nothing and leaves no temp file", async () => {
  const root = mkdtempSync(join(tmpdir(), "mcc-store-"));
  try {
    const store = createBlobStore(createNodeHost(), root);
    const good = await store.put(bytes("hel", "lo"), { sha256: sha("hello"), size: 5 });
    assert.is(good.sha256, sha("hello"));
    assert.is(readFileSync(store.pathOf(good.sha256), "utf8"), "hello");
    try {
      await store.put(bytes("evil"), { sha256: sha("hello2"), size: 4 });
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /does not match its signed checksum/);
    }
    assert.not.ok(existsSync(store.pathOf(sha("evil"))));
    assert.equal(readdirSync(join(root, "tmp")), []);
    try {
      await store.put(bytes("hel"), { sha256: sha("hello"), size: 5 });
      assert.unreachable();
    } catch (error) {
      assert.match((error as Error).message, /3 bytes, expected 5: truncated or altered/);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a blob opened for reads at any position, or into a buffer: the bytes asked for, fewer at the end, none after close", async () => {
  const root = mkdtempSync(join(tmpdir(), "mcc-store-"));
  try {
    const store = createBlobStore(createNodeHost(), root);
    const text = "0123456789".repeat(1000);
    const { sha256 } = await store.put(bytes(text));
    const file = await store.openRandom(sha256);
    assert.is(file.size, text.length);
    assert.is(Buffer.from(file.read(4095, 12)).toString(), text.slice(4095, 4107));
    assert.is(Buffer.from(file.read(text.length - 3, 100)).toString(), text.slice(-3));
    assert.is(file.read(text.length + 5, 10).length, 0);
    const into = new Uint8Array(8);
    assert.is(file.readInto(10, into), 8);
    assert.is(Buffer.from(into).toString(), text.slice(10, 18));
    assert.is(file.readInto(text.length - 2, into), 2);
    assert.is(Buffer.from(into.subarray(0, 2)).toString(), text.slice(-2));
    file.close();
    file.close();
    assert.throws(() => file.read(0, 1), /read after close/);
    const missing = await store.openRandom(sha("absent")).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.match(String((missing as Error | undefined)?.message), /no such file|ENOENT/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("many writers of one blob, in this process and in others, all succeed", async () => {
  const root = mkdtempSync(join(tmpdir(), "mcc-store-"));
  try {
    const store = createBlobStore(createNodeHost(), root);
    const content = "x".repeat(1 << 20);
    const local = Array.from({ length: 8 }, () => store.put(bytes(content), { sha256: sha(content), size: content.length }));
    const script = `import { createBlobStore } from ${JSON.stringify(join(repoRoot, "dist", "src", "cache", "store.js"))};
      import { createNodeHost } from ${JSON.stringify(join(repoRoot, "dist", "src", "host", "node-host.js"))};
      const s = createBlobStore(createNodeHost(), ${JSON.stringify(root)});
      async function* b() { for (let i = 0; i < 16; i++) yield new TextEncoder().encode("x".repeat(1 << 16)); }
      await s.put(b(), { sha256: ${JSON.stringify(sha(content))}, size: ${content.length} });`;
    const children = Array.from({ length: 4 }, () =>
      new Promise<number>((resolve) => spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" }).on("exit", (c) => resolve(c ?? 1))),
    );
    await Promise.all(local);
    assert.equal(await Promise.all(children), [0, 0, 0, 0]);
    assert.is(readFileSync(store.pathOf(sha(content)), "utf8"), content);
    assert.equal(readdirSync(join(root, "tmp")), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the cache root: MCC_CACHE, then XDG_CACHE_HOME/mcc, then ~/.cache/mcc", () => {
  assert.is(defaultCacheRoot({ MCC_CACHE: "/a", XDG_CACHE_HOME: "/b" }, "/h"), "/a");
  assert.is(defaultCacheRoot({ XDG_CACHE_HOME: "/b" }, "/h"), "/b/mcc");
  assert.is(defaultCacheRoot({}, "/h"), "/h/.cache/mcc");
});

test("temporaries a killed process left are swept once stale; a fresh one (another build's) is kept", async () => {
  const root = mkdtempSync(join(tmpdir(), "mcc-sweep-"));
  try {
    const store = createBlobStore(createNodeHost(), root);
    await store.putBytes(new TextEncoder().encode("a blob"));
    mkdirSync(join(root, "tmp"), { recursive: true });
    const now = new Date();
    const old = new Date(now.getTime() - 2 * 60 * 60 * 1000);
    for (const name of ["killed-layer", "killed-download"]) {
      writeFileSync(join(root, "tmp", name), "half");
      utimesSync(join(root, "tmp", name), old, old);
    }
    writeFileSync(join(root, "tmp", "in-progress"), "being written");
    assert.is(await store.sweepTemporaries(now, 60 * 60 * 1000), 2);
    assert.equal(readdirSync(join(root, "tmp")), ["in-progress"]);
    assert.ok(await store.has(createHash("sha256").update("a blob").digest("hex")), "blobs are not touched");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
