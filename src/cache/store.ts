import { createHash } from "node:crypto";
import { join } from "node:path";
import { SourceError } from "../host/errors.js";
import type { Host, RandomFile } from "../host/host.js";

/**
 * The content-addressed cache: every blob lives at a path that is a pure function of its
 * sha256, so a present path is a verified blob. Writes go to a temp file in the same
 * directory tree, are hashed on the way, and are renamed into place only when the digest is
 * the one expected: a killed process leaves at most a stray temp file, never a corrupt entry,
 * and two processes writing the same blob both succeed (rename is atomic; both bytes agree).
 */
export interface BlobStore {
  readonly root: string;
  /** Where the blob with this digest lives, whether or not it is there. */
  pathOf(sha256: string): string;
  has(sha256: string): Promise<boolean>;
  read(sha256: string): Promise<Uint8Array>;
  /** A blob's bytes as they are read, for those too large to hold. */
  open(sha256: string): AsyncIterable<Uint8Array>;
  /** A blob open for reads at any position, for those read a piece at a time. */
  openRandom(sha256: string): Promise<RandomFile>;
  /** A blob's size; undefined when it is not there. */
  sizeOf(sha256: string): Promise<number | undefined>;
  /** Stores a stream; when `expected` is given, anything else is refused and nothing is kept. */
  put(body: AsyncIterable<Uint8Array>, expected?: { sha256: string; size?: number }, what?: string): Promise<{ sha256: string; size: number }>;
  /** Stores bytes held in memory. */
  putBytes(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  /**
   * Stores bytes whose digest is known because they were read from a blob of this cache (a
   * piece of a package's pack): that blob was hashed when it was stored, so they are not again.
   */
  putKnown(sha256: string, body: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  /** Small metadata (JSON) by key, written atomically; for index validators and the like. */
  readMeta<T>(key: string): Promise<T | undefined>;
  writeMeta(key: string, value: unknown): Promise<void>;
  /**
   * Removes the temporaries a killed process left (`tmp/`), those not written to for
   * `olderThanMs` before `now`: another build writing into the same cache is never cut short.
   * Returns how many were removed.
   */
  sweepTemporaries(now: Date, olderThanMs?: number): Promise<number>;
}

/** How much of a blob is read at a time by `blobChunks` and `hashBlob`. */
export const READ_CHUNK = 256 * 1024;

/**
 * A blob's bytes a chunk at a time, by positioned reads: into `reuse` when it is given (a chunk is
 * then the consumer's only until it asks for the next), else each into a buffer of its own.
 */
export async function* blobChunks(store: Pick<BlobStore, "openRandom">, sha256: string, reuse?: Uint8Array): AsyncIterable<Uint8Array> {
  const file = await store.openRandom(sha256);
  try {
    for (let at = 0; at < file.size; ) {
      const buffer = reuse ?? new Uint8Array(Math.min(READ_CHUNK, file.size - at));
      const n = file.readInto(at, buffer);
      if (n === 0) break;
      at += n;
      yield buffer.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/** Read and hashed with no await between, so one buffer serves every call. */
const hashScratch = new Uint8Array(READ_CHUNK);

/** A digest other than the cache's sha256 of a blob (SPDX's SHA1, dpkg's MD5), in hex, read through one buffer. */
export async function hashBlob(store: Pick<BlobStore, "openRandom">, sha256: string, algorithm: "sha1" | "md5"): Promise<string> {
  const file = await store.openRandom(sha256);
  try {
    const hash = createHash(algorithm);
    for (let at = 0, n = 0; at < file.size; at += n) {
      n = file.readInto(at, hashScratch);
      if (n === 0) break;
      hash.update(hashScratch.subarray(0, n));
    }
    return hash.digest("hex");
  } finally {
    file.close();
  }
}

/** The pure digest -> path function of the cache layout (`blobs/sha256/ab/abcdef...`). */
export function blobPath(root: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256 digest: ${sha256}`);
  return join(root, "blobs", "sha256", sha256.slice(0, 2), sha256);
}

/** A temporary not written to for an hour was left by a killed build (a live one writes on). */
export const STALE_TEMPORARY_MS = 60 * 60 * 1000;

export function createBlobStore(host: Host, root: string): BlobStore {
  const tmpDir = join(root, "tmp");
  const tempName = () => join(tmpDir, host.uniqueName());
  // The directories this store made: unpacking a package writes thousands of blobs into a few
  // hundred directories, and asking for each again cost more than writing the small files.
  const made = new Set<string>();
  const directory = async (path: string) => {
    if (made.has(path)) return;
    await host.mkdir(path);
    made.add(path);
  };
  /** Moves a finished temporary into place; the directory is made again if someone removed it. */
  const place = async (temp: string, final: string) => {
    const dir = join(final, "..");
    await directory(dir);
    try {
      await host.rename(temp, final);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      made.delete(dir);
      await directory(dir);
      await host.rename(temp, final);
    }
  };
  const store: BlobStore = {
    root,
    pathOf: (sha256) => blobPath(root, sha256),
    async has(sha256) {
      return (await host.stat(blobPath(root, sha256)).catch(() => undefined))?.kind === "file";
    },
    read: (sha256) => host.readFile(blobPath(root, sha256)),
    open: (sha256) => host.readStream(blobPath(root, sha256)),
    openRandom: (sha256) => host.openRandom(blobPath(root, sha256)),
    async sizeOf(sha256) {
      return (await host.stat(blobPath(root, sha256)))?.size;
    },
    async put(body, expected, what = "download") {
      await directory(tmpDir);
      const temp = tempName();
      const hash = createHash("sha256");
      let size = 0;
      try {
        await host.createFile(
          temp,
          (async function* () {
            for await (const chunk of body) {
              hash.update(chunk);
              size += chunk.length;
              yield chunk;
            }
          })(),
        );
        const sha256 = hash.digest("hex");
        if (expected !== undefined && (sha256 !== expected.sha256 || (expected.size !== undefined && size !== expected.size))) {
          const sizeNote = expected.size !== undefined && size !== expected.size ? ` (${size} bytes, expected ${expected.size}: truncated or altered)` : "";
          throw new SourceError(`${what} does not match its signed checksum: sha256 ${sha256}, expected ${expected.sha256}${sizeNote}`, "the mirror served different bytes than the signed index lists; nothing was kept");
        }
        await place(temp, blobPath(root, sha256));
        return { sha256, size };
      } catch (error) {
        await host.remove(temp);
        throw error;
      }
    },
    async putBytes(bytes) {
      // Held whole: hashed first and written in one call.
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      await store.putKnown(sha256, bytes);
      return { sha256, size: bytes.length };
    },
    async putKnown(sha256, body) {
      await directory(tmpDir);
      const temp = tempName();
      try {
        await host.createFile(temp, body);
        await place(temp, blobPath(root, sha256));
      } catch (error) {
        await host.remove(temp);
        throw error;
      }
    },
    async readMeta<T>(key: string) {
      try {
        return JSON.parse(new TextDecoder().decode(await host.readFile(join(root, "meta", `${metaName(key)}.json`)))) as T;
      } catch {
        return undefined;
      }
    },
    async sweepTemporaries(now, olderThanMs = STALE_TEMPORARY_MS) {
      let removed = 0;
      for (const name of (await host.readdir(tmpDir).catch(() => undefined)) ?? []) {
        const path = join(tmpDir, name);
        const info = await host.stat(path).catch(() => undefined);
        if (info === undefined || now.getTime() - info.modified < olderThanMs) continue;
        await host.remove(path);
        removed++;
      }
      return removed;
    },
    async writeMeta(key, value) {
      const dir = join(root, "meta");
      await directory(dir);
      await directory(tmpDir);
      const temp = tempName();
      try {
        await host.createFile(temp, JSON.stringify(value, null, 2) + "\n");
        await host.rename(temp, join(dir, `${metaName(key)}.json`));
      } catch (error) {
        await host.remove(temp);
        throw error;
      }
    },
  };
  return store;
}

function metaName(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The cache root: `--cache`, then MCC_CACHE, then $XDG_CACHE_HOME/mcc, then ~/.cache/mcc. */
export function defaultCacheRoot(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env["MCC_CACHE"]) return env["MCC_CACHE"];
  if (env["XDG_CACHE_HOME"]) return join(env["XDG_CACHE_HOME"], "mcc");
  return join(home, ".cache", "mcc");
}
