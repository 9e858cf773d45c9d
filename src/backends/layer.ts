import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Gzip } from "fflate";
import { pack, type Pack } from "tar-stream";
import type { ImageEntry, ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";

/** The size of the blocks fed to gzip; part of the output's definition, never to change. */
const BLOCK = 64 * 1024;

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
 * group names, every mtime the build's epoch) through gzip, into `gzPath`, and optionally the
 * plain tar into `tarPath`. gzip is fflate, a pure JavaScript implementation pinned in the
 * lock file: its bytes do not depend on the CPU or the Node version, as a native zlib's may.
 */
export async function writeLayer(tree: ImageTree, store: BlobStore, epoch: number, gzPath: string, tarPath?: string): Promise<LayerResult> {
  const tar = pack();
  const producing = produce(tar, tree, store, epoch);
  const tarHash = createHash("sha256");
  const gzHash = createHash("sha256");
  const out = createWriteStream(gzPath, { flags: "wx" });
  const plain = tarPath === undefined ? undefined : createWriteStream(tarPath, { flags: "wx" });
  let size = 0;
  let tarSize = 0;
  const pending: Uint8Array[] = [];
  // Level 6 and no header fields (no mtime, no name): the same input gives the same bytes.
  const gzip = new Gzip({ level: 6, mtime: 0 }, (chunk) => {
    pending.push(chunk);
  });
  const flush = async () => {
    while (pending.length > 0) {
      const chunk = pending.shift() as Uint8Array;
      gzHash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
  };
  // fflate's output depends on where its input is cut, and the tar stream is cut wherever
  // reads happened to end; so the compressor is fed fixed blocks, and the gzip bytes are a
  // function of the tar bytes alone.
  const block = new Uint8Array(BLOCK);
  let filled = 0;
  for await (const chunk of tar as unknown as AsyncIterable<Uint8Array>) {
    tarHash.update(chunk);
    tarSize += chunk.length;
    if (plain !== undefined && !plain.write(chunk)) await new Promise<void>((resolve) => plain.once("drain", () => resolve()));
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(BLOCK - filled, chunk.length - at);
      block.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BLOCK) {
        gzip.push(block.slice());
        filled = 0;
        await flush();
      }
    }
  }
  await producing;
  gzip.push(block.slice(0, filled), true);
  await flush();
  await Promise.all([end(out), plain === undefined ? Promise.resolve() : end(plain)]);
  return { diffId: tarHash.digest("hex"), digest: gzHash.digest("hex"), size, tarSize };
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

async function addEntry(tar: Pack, entry: ImageEntry, store: BlobStore, mtime: Date): Promise<void> {
  const name = entry.path.slice(1);
  const common = { uid: entry.uid, gid: entry.gid, uname: "", gname: "", mtime };
  switch (entry.kind) {
    case "directory":
      await put(tar, { ...common, name: `${name}/`, type: "directory", mode: entry.mode });
      return;
    case "symlink":
      await put(tar, { ...common, name, type: "symlink", linkname: entry.target, mode: 0o777 });
      return;
    case "file": {
      const header = { ...common, name, type: "file" as const, mode: entry.mode, size: entry.size };
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
