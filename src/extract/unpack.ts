import { createHash } from "node:crypto";
import { blobChunks, READ_CHUNK, type BlobStore } from "../cache/store.js";
import { collectBytes, sliceOfRandomFile, type RandomFile } from "../host/host.js";
import type { DebEntry } from "./deb.js";

/** One file system entry of a package, its content (for files) named by sha256. */
export type ManifestEntry =
  | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly size: number; readonly sha256: string }
  | { readonly kind: "directory"; readonly path: string; readonly mode: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "hardlink"; readonly path: string; readonly target: string };

/**
 * A package's contents as plain data: its entries in archive order, its control files by
 * name (content sha256), and what extraction dropped or changed. Later stages (tracing,
 * layers) read files through this and the cache (`packageFiles`), never from a directory on disk.
 */
export interface PackageManifest {
  readonly deb: string;
  readonly entries: readonly ManifestEntry[];
  readonly control: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
  /**
   * Where the files' bytes are: one blob of the cache holding them all, one after another (the
   * pack), and each content's place in it by its sha256, `[start, size]`. Absent, each file is
   * a blob of its own (an image's files, which `mcc minify` reads as packages).
   */
  readonly pack?: { readonly sha256: string; readonly files: Readonly<Record<string, readonly [number, number]>> };
}

/** Files up to this size are read whole before they are stored. */
const SMALL_FILE = 1 << 20;

/**
 * 2: names that are not UTF-8 or hold a control character are dropped.
 * 3: a package's file bytes go into one pack, not one blob each.
 */
const MANIFEST_VERSION = 3;

/**
 * Unpacks a cached .deb (by its sha256) into the cache: its files' bytes (data and control)
 * into one blob, the pack, and the manifest as metadata keyed by the .deb's digest, so a second
 * unpack reads one small file. One file written per package, not one per file: making a file
 * costs the file system far more than writing its bytes (docs/performance.md), and most of a
 * package's files never reach an image. Those that do are copied out of the pack into blobs of
 * their own when the image's tree is kept (`keepPackedFile`).
 */
export async function unpackDeb(store: BlobStore, debSha256: string): Promise<PackageManifest> {
  const key = `manifest v${MANIFEST_VERSION} ${debSha256}`;
  const known = await store.readMeta<PackageManifest>(key);
  if (known !== undefined) return known;
  // The .deb reader (tar, decoders, their processes) loaded only when a package is unpacked:
  // a rebuild reading cached manifests (the SBOM's, the tree's) does without it.
  const { readDeb } = await import("./deb.js");
  const entries: ManifestEntry[] = [];
  const files: Record<string, readonly [number, number]> = {};
  const pack = bytePipe();
  const stored = store.put(pack.readable).catch((error: unknown) => {
    pack.broken(error);
    throw error;
  });
  stored.catch(() => undefined);
  let at = 0;
  /** Appends a content held whole, once per package however many files hold it. */
  const append = async (bytes: Uint8Array): Promise<{ sha256: string; size: number }> => {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (files[sha256] === undefined) {
      files[sha256] = [at, bytes.length];
      at += bytes.length;
      if (bytes.length > 0) await pack.write(bytes);
    }
    return { sha256, size: bytes.length };
  };
  let control: Record<string, string>;
  let notes: readonly string[];
  try {
    const contents = await readDeb(store.open(debSha256), async (entry: DebEntry, content) => {
      if (entry.kind !== "file") {
        entries.push(entry);
        return;
      }
      if (content === undefined || entry.size <= SMALL_FILE) {
        // Most files are small: held whole, hashed and appended in one step each.
        const { sha256, size } = await append(content === undefined ? new Uint8Array(0) : await collectBytes(content));
        entries.push({ ...entry, size, sha256 });
        return;
      }
      const hash = createHash("sha256");
      const start = at;
      for await (const chunk of content) {
        hash.update(chunk);
        at += chunk.length;
        await pack.write(chunk);
      }
      const sha256 = hash.digest("hex");
      files[sha256] ??= [start, at - start];
      entries.push({ ...entry, size: at - start, sha256 });
    });
    control = {};
    for (const [name, bytes] of [...contents.control.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) control[name] = (await append(bytes)).sha256;
    notes = contents.notes;
    pack.end();
  } catch (error) {
    pack.fail(error);
    await stored.catch(() => undefined);
    throw error;
  }
  const manifest: PackageManifest = { deb: debSha256, entries, control, notes, pack: { sha256: (await stored).sha256, files } };
  await store.writeMeta(key, manifest);
  return manifest;
}

/** How a package file's bytes are read by digest, whole or a piece at a time: as the cache reads a blob. */
export type FileContents = Pick<BlobStore, "read" | "openRandom">;

/** Packages' files by digest, and whether a digest is one of their packs' pieces. */
export interface PackageFiles extends FileContents {
  packed(sha256: string): boolean;
}

/**
 * The files of these packages by their sha256: from each package's pack, or from a blob of
 * their own (a manifest without a pack, the spec's own files).
 */
export function packageFiles(store: FileContents, manifests: readonly PackageManifest[]): PackageFiles {
  const where = new Map<string, { pack: string; start: number; size: number }>();
  for (const m of manifests) {
    if (m.pack === undefined) continue;
    for (const [sha256, [start, size]] of Object.entries(m.pack.files)) if (!where.has(sha256)) where.set(sha256, { pack: m.pack.sha256, start, size });
  }
  const openRandom = async (sha256: string): Promise<RandomFile> => {
    const place = where.get(sha256);
    if (place === undefined) return store.openRandom(sha256);
    return sliceOfRandomFile(await store.openRandom(place.pack), place.start, place.size);
  };
  return {
    packed: (sha256) => where.has(sha256),
    openRandom,
    async read(sha256) {
      if (!where.has(sha256)) return store.read(sha256);
      const file = await openRandom(sha256);
      try {
        const bytes = file.read(0, file.size);
        if (bytes.length !== file.size) throw new Error(`the cache's pack holding ${sha256} is shorter than its manifest says`);
        return bytes;
      } finally {
        file.close();
      }
    },
  };
}

/**
 * A producer's chunks as a stream for a consumer that pulls: `write` waits while more than
 * `limit` bytes wait to be read. `end` finishes the stream, `fail` makes the reader throw, and
 * `broken` (the reader gave up) makes every write throw.
 */
function bytePipe(limit = 1 << 20) {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let readerFailure: { error: unknown } | undefined;
  // Whoever waits (the reader for a chunk, the writer for room) leaves the function that wakes it.
  let wakeReader = () => {};
  let wakeWriter = () => {};
  async function* readable(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued <= limit) wakeWriter();
        yield chunk;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (ended) return;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  }
  return {
    readable: readable(),
    async write(chunk: Uint8Array): Promise<void> {
      const check = () => {
        if (readerFailure !== undefined) throw readerFailure.error;
      };
      check();
      queue.push(chunk);
      queued += chunk.length;
      wakeReader();
      while (queued > limit) {
        check();
        await new Promise<void>((resolve) => (wakeWriter = resolve));
      }
      check();
    },
    end() {
      ended = true;
      wakeReader();
    },
    fail(error: unknown) {
      failure = { error };
      wakeReader();
    },
    broken(error: unknown) {
      readerFailure = { error };
      wakeWriter();
    },
  };
}

/**
 * A packed file's bytes copied into a blob of their own, unless the cache has it already: the
 * files an image keeps are blobs, so its tree is whole without the packs (a shared cache sends
 * those blobs, never a pack). The pack was hashed when it was stored, as every blob is; its
 * pieces are not hashed again.
 */
export async function keepPackedFile(store: Pick<BlobStore, "has" | "putKnown">, files: PackageFiles, sha256: string, size: number): Promise<void> {
  if (!files.packed(sha256) || (await store.has(sha256))) return;
  // A large one through one buffer of its own (a library of tens of MB read in fresh chunks
  // left as much garbage as its size, which the collector let pile up).
  await store.putKnown(sha256, size <= SMALL_FILE ? await files.read(sha256) : blobChunks(files, sha256, new Uint8Array(READ_CHUNK)));
}
