// Unpacking a .deb into the cache: one pack of its files' bytes, a manifest that says where each
// one is, and the files an image keeps copied out into blobs of their own.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBlobStore, type BlobStore } from "../../src/cache/store.js";
import { keepPackedFile, packageFiles, unpackDeb } from "../../src/extract/unpack.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { ar, craftDeb, tar } from "../support/craft-deb.js";

const sha = (b: string | Uint8Array) => createHash("sha256").update(b).digest("hex");

async function withStore(run: (store: BlobStore, root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "mcc-unpack-"));
  try {
    await run(createBlobStore(createNodeHost(), root), root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every regular file under the cache's blob directory. */
function blobFiles(root: string): string[] {
  const dir = join(root, "blobs", "sha256");
  return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))) : [];
}

test("a package's files go into one pack: each read back by its digest, the same bytes, a repeated content stored once", async () => {
  // Larger than a file held whole (1 MiB), so one file streams into the pack in pieces.
  const big = randomBytes((1 << 20) + 12345);
  const deb = await craftDeb("Package: p\nVersion: 1\nArchitecture: amd64\n", [
    { name: "./usr/", type: "directory", mode: 0o755 },
    { name: "./usr/bin/p", body: "#!/bin/sh\necho p\n", mode: 0o755 },
    { name: "./usr/lib/big.so", body: big },
    { name: "./usr/share/empty", body: "" },
    { name: "./usr/share/again", body: "#!/bin/sh\necho p\n" },
    { name: "./usr/bin/q", type: "symlink", linkname: "p" },
  ]);
  await withStore(async (store, root) => {
    const { sha256: debSha } = await store.putBytes(deb);
    const before = blobFiles(root).length;
    const manifest = await unpackDeb(store, debSha);
    assert.ok(manifest.pack, "the manifest names its pack");
    // One blob more: the pack (the manifest is metadata), not one per file.
    assert.is(blobFiles(root).length, before + 1);
    const files = packageFiles(store, [manifest]);
    const byPath = new Map(manifest.entries.map((e) => [e.path, e]));
    const p = byPath.get("/usr/bin/p");
    const bigEntry = byPath.get("/usr/lib/big.so");
    const empty = byPath.get("/usr/share/empty");
    assert.ok(p?.kind === "file" && bigEntry?.kind === "file" && empty?.kind === "file");
    assert.is(p.sha256, sha("#!/bin/sh\necho p\n"));
    assert.is(new TextDecoder().decode(await files.read(p.sha256)), "#!/bin/sh\necho p\n");
    assert.is(bigEntry.sha256, sha(big));
    assert.is(bigEntry.size, big.length);
    assert.ok(Buffer.from(await files.read(bigEntry.sha256)).equals(big));
    assert.is((await files.read(empty.sha256)).length, 0);
    assert.equal(byPath.get("/usr/bin/q"), { kind: "symlink", path: "/usr/bin/q", target: "p" });
    // Read a piece at a time, past its end: the file's own bytes, never its neighbour's.
    const random = await files.openRandom(p.sha256);
    assert.is(random.size, p.size);
    assert.is(new TextDecoder().decode(random.read(10, 100)), "echo p\n");
    assert.is(random.readInto(p.size, new Uint8Array(8)), 0);
    random.close();
    // The control files are in the pack too, and the repeated content is there once.
    assert.match(new TextDecoder().decode(await files.read(manifest.control["control"] as string)), /^Package: p\n/);
    const packSize = (await store.sizeOf(manifest.pack.sha256)) as number;
    const distinct = new Map(Object.entries(manifest.pack.files));
    assert.is(packSize, [...distinct.values()].reduce((n, [, size]) => n + size, 0));
    // A second unpack reads the manifest; nothing is written again.
    assert.equal(await unpackDeb(store, debSha), manifest);
    assert.is(blobFiles(root).length, before + 1);
  });
});

test("a kept file is copied out of its pack into a blob of its own, once; one not packed is left as it is", async () => {
  const deb = await craftDeb("Package: p\nVersion: 1\n", [{ name: "./usr/bin/p", body: "binary bytes" }]);
  await withStore(async (store) => {
    const manifest = await unpackDeb(store, (await store.putBytes(deb)).sha256);
    const files = packageFiles(store, [manifest]);
    const digest = sha("binary bytes");
    assert.ok(files.packed(digest));
    assert.not.ok(await store.has(digest));
    await keepPackedFile(store, files, digest, 12);
    assert.is(new TextDecoder().decode(await store.read(digest)), "binary bytes");
    await keepPackedFile(store, files, digest, 12);
    // The spec's own file: a blob already, read through the same reader.
    const own = await store.putBytes(new TextEncoder().encode("own"));
    assert.not.ok(files.packed(own.sha256));
    await keepPackedFile(store, files, own.sha256, 3);
    assert.is(new TextDecoder().decode(await files.read(own.sha256)), "own");
  });
});

test("a large kept file is copied out a piece at a time through one buffer: the blob holds exactly its bytes", async () => {
  // Several read chunks and a partial last one, beside a neighbour in the pack on either side.
  const big = randomBytes(3 * (1 << 20) + 777);
  const deb = await craftDeb("Package: p\nVersion: 1\n", [
    { name: "./usr/lib/a", body: "before" },
    { name: "./usr/lib/big.so", body: big },
    { name: "./usr/lib/z", body: "after" },
  ]);
  await withStore(async (store, root) => {
    const manifest = await unpackDeb(store, (await store.putBytes(deb)).sha256);
    const files = packageFiles(store, [manifest]);
    await keepPackedFile(store, files, sha(big), big.length);
    const kept = readFileSync(join(root, "blobs", "sha256", sha(big).slice(0, 2), sha(big)));
    assert.is(kept.length, big.length);
    assert.is(sha(kept), sha(big));
  });
});

test("a .deb that breaks off mid-archive is refused, and leaves neither a pack, a manifest nor a temporary", async () => {
  const whole = await craftDeb("Package: p\nVersion: 1\n", [
    { name: "./a", body: randomBytes(200_000) },
    { name: "./b", body: randomBytes(200_000) },
  ]);
  // The data member's header promises more bytes than follow.
  const cut = whole.subarray(0, whole.length - 150_000);
  await withStore(async (store, root) => {
    const { sha256 } = await store.putBytes(cut);
    const before = blobFiles(root);
    try {
      await unpackDeb(store, sha256);
      assert.unreachable("a cut archive was unpacked");
    } catch (error) {
      assert.not.instance(error, assert.Assertion);
    }
    assert.equal(blobFiles(root), before);
    assert.equal(readdirSync(join(root, "tmp")), []);
    assert.not.ok(existsSync(join(root, "meta")) && readdirSync(join(root, "meta")).length > 0);
  });
});

test("a pack that cannot be stored fails the unpack with the file system's error, and nothing waits forever", async () => {
  const deb = await craftDeb("Package: p\nVersion: 1\n", Array.from({ length: 40 }, (_, i) => ({ name: `./f${i}`, body: randomBytes(100_000) })));
  await withStore(async (store, root) => {
    const { sha256 } = await store.putBytes(deb);
    // Where the store puts its temporaries is a file: no temporary can be made.
    rmSync(join(root, "tmp"), { recursive: true, force: true });
    writeFileSync(join(root, "tmp"), "in the way");
    const fresh = createBlobStore(createNodeHost(), root);
    try {
      await unpackDeb(fresh, sha256);
      assert.unreachable("unpacked without a place for its pack");
    } catch (error) {
      assert.match(String((error as Error).message ?? error), /EEXIST|ENOTDIR|not a directory|file already exists/i);
    }
  });
});

test("a store that gives up while the unpacker waits for room fails the unpack with its error", async () => {
  // More than the pipe holds (1 MiB), so the unpacker is waiting when the store fails.
  const deb = await craftDeb("Package: p\nVersion: 1\n", Array.from({ length: 40 }, (_, i) => ({ name: `./f${i}`, body: randomBytes(100_000) })));
  await withStore(async (store) => {
    const { sha256 } = await store.putBytes(deb);
    const failing: BlobStore = {
      ...store,
      async put() {
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error("no space left on the device");
      },
    };
    try {
      await unpackDeb(failing, sha256);
      assert.unreachable("unpacked into a store that failed");
    } catch (error) {
      assert.match((error as Error).message, /no space left on the device/);
    }
  });
});

test("a data member that is not an archive at all is refused", async () => {
  const control = await tar([{ name: "./control", body: "Package: p\n" }]);
  const deb = ar([["debian-binary", Buffer.from("2.0\n")], ["control.tar", control], ["data.tar", Buffer.alloc(2048, 7)]]);
  await withStore(async (store) => {
    const { sha256 } = await store.putBytes(deb);
    let failed = false;
    await unpackDeb(store, sha256).catch(() => (failed = true));
    assert.ok(failed);
  });
});

test.run();
