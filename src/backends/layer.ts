import { createHash } from "node:crypto";
import type { ImageEntry, ImageTree } from "../assemble/image-tree.js";
import { blobChunks, READ_CHUNK, type BlobStore } from "../cache/store.js";
import { gzipStream, IN_PLACE_UP_TO } from "../formats/stable-gzip.js";
import { collectGarbage } from "../collect.js";
import { padding, TAR_END, tarArchive, type TarEntry } from "../formats/tar-writer.js";

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
  const tar = layerTar(tree, store, epoch, new Uint8Array(READ_CHUNK));
  // The same bytes for the same tar, whatever the machine, its cores and how the tar is cut;
  // its length (pax records for long names aside) tells gzip whether threads would pay.
  const expected = tree.entries.reduce((n, e) => n + 512 + (e.kind === "file" ? e.size + padding(e.size) : 0), TAR_END.length);
  // A layer large enough for the gzip threads is the build's peak: their engines and blocks come
  // on top of whatever the tracing left for the collector. Collected first, it is not there
  // (ffmpeg's cold peak 140 to 132 MiB, median of paired runs; a few ms, once).
  if (expected > IN_PLACE_UP_TO) await collectGarbage();
  const blob = await store.put(gzipStream(tar.chunks, expected), undefined, "layer");
  return { ...tar.result(), digest: blob.sha256, size: blob.size };
}

/**
 * The tree's tar, uncompressed, as it is produced; once read to its end, `result` gives its
 * sha256 (the diff_id) and size. Given `reuse`, files are read into that one buffer over and over:
 * for a consumer done with each chunk before it asks for the next (gzip's blocks copy it), not
 * for one that queues chunks (a write stream).
 */
export function layerTar(tree: ImageTree, store: BlobStore, epoch: number, reuse?: Uint8Array): { chunks: AsyncIterable<Uint8Array>; result(): { diffId: string; tarSize: number } } {
  let done: { diffId: string; tarSize: number } | undefined;
  async function* chunks(): AsyncIterable<Uint8Array> {
    const hash = createHash("sha256");
    let tarSize = 0;
    for await (const chunk of tarArchive(tree.entries.map((entry) => tarEntry(entry, store, epoch, reuse)))) {
      hash.update(chunk);
      tarSize += chunk.length;
      yield chunk;
    }
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

function tarEntry(entry: ImageEntry, store: BlobStore, mtime: number, reuse: Uint8Array | undefined): TarEntry {
  const common = { name: entry.path.slice(1), mode: 0, uid: entry.uid, gid: entry.gid, size: 0, mtime };
  switch (entry.kind) {
    case "directory":
      return { header: { ...common, name: `${common.name}/`, type: "directory", mode: entry.mode } };
    case "symlink":
      return { header: { ...common, type: "symlink", linkname: entry.target, mode: 0o777 } };
    case "file": {
      const header = { ...common, type: "file" as const, mode: entry.mode, size: entry.size };
      const { source } = entry;
      return { header, content: "bytes" in source ? source.bytes : blobChunks(store, source.blob, reuse) };
    }
  }
}
