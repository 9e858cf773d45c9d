// The layer's gzip bytes depend on the tar bytes only, not on how reads cut the stream.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageTree } from "../../src/assemble/image-tree.js";
import { writeLayer } from "../../src/backends/layer.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { createBlobStore } from "../../src/cache/store.js";

test("a file from the cache and the same bytes in memory give the same layer", async () => {
  {
    const store = createBlobStore(createMemoryHost({}), "/cache");
    const bytes = new Uint8Array(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    const { sha256 } = await store.put((async function* () {
      yield bytes;
    })());
    const tree = (source: { blob: string } | { bytes: Uint8Array }): ImageTree => ({
      entries: [
        { kind: "directory", path: "/usr", mode: 0o755, uid: 0, gid: 0 },
        { kind: "file", path: "/usr/data", mode: 0o644, uid: 0, gid: 0, size: bytes.length, source, pkg: "x" },
      ],
      reasons: new Map(),
    });
    const a = await writeLayer(tree({ blob: sha256 }), store, 0);
    const b = await writeLayer(tree({ bytes }), store, 0);
    assert.is(a.diffId, b.diffId);
    assert.is(a.digest, b.digest);
    assert.is(a.digest.length, 64);
    assert.not.equal(a.digest, createHash("sha256").update("").digest("hex"));
    // The layer is in the cache under its digest, and its size is the blob's.
    const gz = await store.read(a.digest);
    assert.is(gz.length, a.size);
    assert.is(createHash("sha256").update(gz).digest("hex"), a.digest);
  }
});

test("modes are kept as the tree says, 0000 included (tar-stream takes a bare 0 for 0644)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcc-layer-"));
  try {
    const store = createBlobStore(createNodeHost(), join(dir, "cache"));
    const tree: ImageTree = {
      entries: [
        { kind: "directory", path: "/read", mode: 0o700, uid: 0, gid: 0 },
        { kind: "file", path: "/read/none", mode: 0, uid: 0, gid: 0, size: 1, source: { bytes: new Uint8Array([1]) }, pkg: "(spec)" },
        { kind: "file", path: "/read/run", mode: 0o755, uid: 0, gid: 0, size: 1, source: { bytes: new Uint8Array([2]) }, pkg: "(spec)" },
      ],
      reasons: new Map(),
    };
    const layer = await writeLayer(tree, store, 0);
    const listing = execFileSync("tar", ["-tvzf", store.pathOf(layer.digest)], { encoding: "utf8" }).trim().split("\n");
    assert.equal(listing.map((l) => `${l.split(/\s+/)[0]} ${l.split(/\s+/).pop()}`), ["drwx------ read/", "---------- read/none", "-rwxr-xr-x read/run"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
