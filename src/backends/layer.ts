import { createHash } from "node:crypto";
import { pack, type Pack } from "tar-stream";
import type { ImageEntry, ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import { gzipStream } from "../formats/stable-gzip.js";

export interface LayerResult {
  /** sha256 of the uncompressed tar (the config's diff_id). */
  readonly diffId: string;
  /** sha256 and size of the gzip stream (the layer blob). */
  readonly digest: string;
  readonly size: number;
  readonly tarSize: number;
}

/**
 * Streams the image tree as a tar (entries in the tree's order, fixed owners, no user or
 * group names, every mtime the build's epoch) through gzip into the cache, which hashes it as
 * it is written. gzip is stable-gzip's: fflate (pure JavaScript, pinned in the lock file) on
 * independent blocks in worker threads, so its bytes depend neither on the CPU, the Node
 * version nor the number of cores, as a native zlib's may.
 */
export async function writeLayer(tree: ImageTree, store: BlobStore, epoch: number): Promise<LayerResult> {
  const tar = layerTar(tree, store, epoch);
  // The same bytes for the same tar, whatever the machine, its cores and how the tar is cut.
  const blob = await store.put(gzipStream(tar.chunks), undefined, "layer");
  return { ...tar.result(), digest: blob.sha256, size: blob.size };
}

/**
 * The tree's tar, uncompressed, as it is produced; once read to its end, `result` gives its
 * sha256 (the diff_id) and size.
 */
export function layerTar(tree: ImageTree, store: BlobStore, epoch: number): { chunks: AsyncIterable<Uint8Array>; result(): { diffId: string; tarSize: number } } {
  let done: { diffId: string; tarSize: number } | undefined;
  async function* chunks(): AsyncIterable<Uint8Array> {
    const tar = pack();
    const producing = produce(tar, tree, store, epoch);
    const hash = createHash("sha256");
    let tarSize = 0;
    for await (const chunk of tar as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      tarSize += chunk.length;
      yield chunk;
    }
    await producing;
    done = { diffId: hash.digest("hex"), tarSize };
  }
  return {
    chunks: chunks(),
    result() {
      if (done === undefined) throw new Error("the layer's tar was not read to its end");
      return done;
    },
  };
}

async function produce(tar: Pack, tree: ImageTree, store: BlobStore, epoch: number): Promise<void> {
  try {
    const mtime = new Date(epoch * 1000);
    for (const entry of tree.entries) await addEntry(tar, entry, store, mtime);
    tar.finalize();
  } catch (error) {
    tar.destroy(error as Error);
  }
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

async function addEntry(tar: Pack, entry: ImageEntry, store: BlobStore, mtime: Date): Promise<void> {
  const name = entry.path.slice(1);
  const common = { uid: entry.uid, gid: entry.gid, uname: "", gname: "", mtime };
  switch (entry.kind) {
    case "directory":
      // The file-type bits keep tar-stream from taking a mode of 0 for "none given" (0644);
      // the header holds only the permission bits, so 0000 stays 0000 as in the rootfs.
      await put(tar, { ...common, name: `${name}/`, type: "directory", mode: entry.mode | S_IFDIR });
      return;
    case "symlink":
      await put(tar, { ...common, name, type: "symlink", linkname: entry.target, mode: 0o777 });
      return;
    case "file": {
      const header = { ...common, name, type: "file" as const, mode: entry.mode | S_IFREG, size: entry.size };
      if ("bytes" in entry.source) {
        await put(tar, header, entry.source.bytes);
        return;
      }
      const sink = tar.entry(header);
      const done = new Promise<void>((resolve, reject) => {
        sink.on("finish", () => resolve());
        sink.on("error", reject);
      });
      for await (const chunk of store.open(entry.source.blob)) {
        if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once("drain", () => resolve()));
      }
      sink.end(undefined);
      await done;
    }
  }
}

function put(tar: Pack, header: Parameters<Pack["entry"]>[0], body?: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null) => (error ? reject(error) : resolve());
    if (body === undefined) tar.entry(header, callback);
    else tar.entry(header, body, callback);
  });
}
