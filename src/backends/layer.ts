import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { pack, type Pack } from "tar-stream";
import type { ImageEntry, ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import { createStableGzip } from "../formats/stable-gzip.js";

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
 * group names, every mtime the build's epoch) through gzip into `gzPath`. gzip is fflate, a
 * pure JavaScript implementation pinned in the lock file: its bytes do not depend on the CPU
 * or the Node version, as a native zlib's may.
 */
export async function writeLayer(tree: ImageTree, store: BlobStore, epoch: number, gzPath: string): Promise<LayerResult> {
  const gzHash = createHash("sha256");
  const out = createWriteStream(gzPath, { flags: "wx" });
  let size = 0;
  const pending: Uint8Array[] = [];
  // The same bytes for the same tar, whatever the machine and however the tar is cut.
  const gzip = createStableGzip((chunk) => pending.push(chunk));
  const flush = async () => {
    while (pending.length > 0) {
      const chunk = pending.shift() as Uint8Array;
      gzHash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  };
  const tar = await streamTar(tree, store, epoch, async (chunk) => {
    if (gzip.write(chunk) > 0) await flush();
  });
  gzip.end();
  await flush();
  await end(out);
  return { ...tar, digest: gzHash.digest("hex"), size };
}

/** The same tar, uncompressed, into `tarPath` (for docker archives). */
export async function writeLayerTar(tree: ImageTree, store: BlobStore, epoch: number, tarPath: string): Promise<{ diffId: string; tarSize: number }> {
  const out = createWriteStream(tarPath, { flags: "wx" });
  const tar = await streamTar(tree, store, epoch, async (chunk) => {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  });
  await end(out);
  return tar;
}

/** Produces the tree's tar, handing each chunk on; returns its sha256 (the diff_id) and size. */
async function streamTar(tree: ImageTree, store: BlobStore, epoch: number, onChunk: (chunk: Uint8Array) => Promise<void>): Promise<{ diffId: string; tarSize: number }> {
  const tar = pack();
  const producing = produce(tar, tree, store, epoch);
  const hash = createHash("sha256");
  let tarSize = 0;
  for await (const chunk of tar as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    tarSize += chunk.length;
    await onChunk(chunk);
  }
  await producing;
  return { diffId: hash.digest("hex"), tarSize };
}

function end(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on("error", reject);
    stream.end(() => resolve());
  });
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
      for await (const chunk of createReadStream(store.pathOf(entry.source.blob))) {
        if (!sink.write(chunk as Uint8Array)) await new Promise<void>((resolve) => sink.once("drain", () => resolve()));
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
