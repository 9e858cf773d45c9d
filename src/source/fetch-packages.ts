import { join } from "node:path";
import type { BlobStore } from "../cache/store.js";
import { HostError, type Host } from "../host/host.js";
import { SourceError } from "../host/errors.js";
import { httpGet } from "./http.js";

/** A package file in the archive's pool, as a lock pins it: where it is and what it must hash to. */
export interface PoolFile {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /** The pool path, relative to the archive base it came from. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  /** Which archive serves it: the mirror, the security archive, or the spec's directory (a local .deb). */
  readonly archive: "mirror" | "security" | "local";
}

export interface FetchEvents {
  onStart?(total: number, bytes: number): void;
  onPackage?(pkg: PoolFile, cached: boolean): void;
}

/** How many times a package whose body arrives cut short is fetched. */
const TRUNCATED_ATTEMPTS = 3;

/** Where each archive of a lock lives now (the mirror may change; the sha256 may not). */
export interface ArchiveBases {
  readonly mirror: string;
  readonly security: string;
  /** The spec's directory, which local packages' paths start from. */
  readonly local?: string;
}

/**
 * Puts every package of a lock into the cache, each verified against the sha256 the signed
 * index gave (and the lock pinned): at most `parallel` downloads at once, cached blobs not
 * fetched again. With `offline`, nothing is fetched and every missing package is named.
 */
export async function fetchPackages(
  host: Host,
  packages: readonly PoolFile[],
  bases: ArchiveBases,
  store: BlobStore,
  options: { parallel: number; offline: boolean },
  events: FetchEvents = {},
): Promise<{ fetched: number; cached: number }> {
  const missing: PoolFile[] = [];
  let cached = 0;
  for (const pkg of packages) {
    if (await store.has(pkg.sha256)) {
      cached++;
      events.onPackage?.(pkg, true);
    } else if (pkg.archive === "local") {
      // A local .deb is read from the repository, offline or not, and must be the one locked.
      await storeLocal(host, pkg, bases, store);
      events.onPackage?.(pkg, false);
    } else missing.push(pkg);
  }
  if (missing.length > 0 && options.offline) {
    throw new SourceError(
      `offline, and the cache lacks ${missing.length} package${missing.length === 1 ? "" : "s"}:\n  ${missing.map((p) => `${p.name} ${p.version} (${p.arch}) sha256 ${p.sha256}`).join("\n  ")}`,
      "run once without --offline to fill the cache",
    );
  }
  events.onStart?.(missing.length, missing.reduce((n, p) => n + p.size, 0));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const pkg = missing[next++] as PoolFile;
      const base = (pkg.archive === "security" ? bases.security : bases.mirror).replace(/\/+$/, "");
      const url = `${base}/${pkg.filename}`;
      // A body cut short (a proxy or connection dropping it) is fetched again; other bytes
      // than the signed ones are never retried: that is an error to see.
      for (let attempt = 1; ; attempt++) {
        const got = await httpGet(host, url);
        if (got.status !== 200 || got.body === undefined) {
          throw new SourceError(`GET ${url}: not on the mirror (${pkg.name} ${pkg.version})`, "the archive no longer holds this version; run `mcc lock --update`, or use a snapshot mirror");
        }
        let received = 0;
        const counted = (async function* (body: AsyncIterable<Uint8Array>) {
          for await (const chunk of body) {
            received += chunk.length;
            yield chunk;
          }
        })(got.body);
        try {
          await store.put(counted, { sha256: pkg.sha256, size: pkg.size }, `${url}`);
          break;
        } catch (error) {
          if (received >= pkg.size || attempt >= TRUNCATED_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        }
      }
      events.onPackage?.(pkg, false);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, missing.length)) }, worker));
  return { fetched: missing.length, cached };
}

async function storeLocal(host: Host, pkg: PoolFile, bases: ArchiveBases, store: BlobStore): Promise<void> {
  if (bases.local === undefined) throw new Error(`the local package ${pkg.filename} has no directory to be read from`);
  const path = join(bases.local, pkg.filename);
  let stored: { sha256: string };
  try {
    stored = await store.put(host.readStream(path));
  } catch (error) {
    if (error instanceof HostError) throw new SourceError(`the local package ${path} cannot be read: ${error.reason}`, "restore it, or remove it from packages and run mcc lock");
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") throw new SourceError(`the local package ${path} cannot be read: ${code}`, "restore it, or remove it from packages and run mcc lock");
    throw error;
  }
  if (stored.sha256 !== pkg.sha256) {
    throw new SourceError(`the local package ${path} changed since it was locked (sha256 ${stored.sha256}, the lock pins ${pkg.sha256})`, "run mcc lock to pin the package as it is now, or restore the one locked");
  }
}
