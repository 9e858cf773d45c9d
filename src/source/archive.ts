import { createHash } from "node:crypto";
import type { BlobStore } from "../cache/store.js";
import { collectBytes, type Host } from "../host/host.js";
import { SourceError } from "../host/errors.js";
import { settledInOrder } from "../concurrency.js";
import { httpGet } from "./http.js";
import { joinUniverses, type PackageUniverse } from "./packages-index.js";
import { CATALOG_VERSION, CatalogFormatError, catalogOf, compactPackagesIndexPieces } from "./package-catalog.js";
import { checkFreshness, parseRelease, verifyInRelease, type Keyring, type Release } from "./release.js";

/** Where and how to read the archive for one release and architecture. */
export interface ArchiveConfig {
  readonly mirror: string;
  /** The security archive's base URL, when it is separate from the mirror. */
  readonly security?: string;
  readonly release: string;
  readonly components: readonly string[];
  readonly arch: string;
  readonly keyring: Keyring;
  readonly now: Date;
  readonly allowExpired: boolean;
  /** Use the cache only; say exactly what is missing instead of fetching it. */
  readonly offline: boolean;
}

/** A signed index that went into a resolution, recorded in the lock. */
export interface IndexRef {
  readonly base: string;
  readonly suite: string;
  /** The sha256 of the InRelease whose signature was verified. */
  readonly inRelease: string;
  readonly path: string;
  /** The sha256 of the Packages file, as the signed Release lists it. */
  readonly sha256: string;
}

export interface Archive {
  /** Every package of the release's suites, in suite order (the release, -updates, -security). */
  readonly packages: PackageUniverse;
  readonly indexes: readonly IndexRef[];
  /** Each suite's verified Release, for the other indexes it lists (Contents). */
  readonly releases: readonly VerifiedRelease[];
}

/** A suite whose InRelease verified: what its signature covers, and where it is. */
export interface VerifiedRelease {
  readonly base: string;
  readonly suite: string;
  readonly release: Release;
}

export interface ArchiveEvents {
  onFetch?(what: string, bytes: number): void;
  onNote?(message: string): void;
}

interface InReleaseMeta {
  readonly sha256: string;
  readonly etag?: string;
  readonly lastModified?: string;
}

/** The suites read for a release: itself, then its -updates and -security suites when they exist. */
export function suitesOf(config: ArchiveConfig): { base: string; suite: string; required: boolean }[] {
  const base = trimSlash(config.mirror);
  const security = trimSlash(config.security ?? `${base}-security`);
  return [
    { base, suite: config.release, required: true },
    { base, suite: `${config.release}-updates`, required: false },
    { base: security, suite: `${config.release}-security`, required: false },
  ];
}

/**
 * The InRelease files one command has read, by URL: the architectures of one lock share them,
 * so each suite is asked for and verified once, and every architecture is resolved against the
 * same state of the archive.
 */
export type InReleaseMemo = Map<string, Promise<{ signed: { text: string; sha256: string } | undefined; missing: readonly string[] }>>;

/**
 * Reads every Packages index of the release's suites, each verified along the chain
 * InRelease signature -> Release SHA256 -> Packages bytes, from the cache when it holds them.
 * `inReleases` is shared by the calls of one command (its architectures).
 */
export async function loadArchive(host: Host, config: ArchiveConfig, store: BlobStore, events: ArchiveEvents = {}, inReleases: InReleaseMemo = new Map()): Promise<Archive> {
  // The suites are asked at once (three round trips become one); their results, what an
  // offline run lacks, and the error reported when several fail keep suite order. Each runs to
  // its end before an error is thrown, so nothing goes on after this returns; what a suite
  // that did not fail verified stays in the cache, as any verified file does.
  const suites = await settledInOrder(
    suitesOf(config).map(async ({ base, suite, required }) => {
      const url = `${base}/dists/${suite}/InRelease`;
      let asked = inReleases.get(url);
      if (asked === undefined) {
        const lacking: string[] = [];
        asked = fetchInRelease(host, url, store, config, events, lacking).then((signed) => ({ signed, missing: lacking }));
        inReleases.set(url, asked);
      }
      const { signed, missing: lacking } = await asked;
      const missing = [...lacking];
      if (signed === undefined) {
        if (required && !config.offline) {
          throw new SourceError(`the release "${suite}" is not on the mirror ${base} (no ${url})`, "check from.release and from.mirror");
        }
        return { missing, read: undefined };
      }
      const release = parseRelease(signed.text, [], url);
      checkFreshness(release, config.now, config.allowExpired, url);
      checkCodename(release, suite, config.release, url);
      const where: VerifiedRelease = { base, suite, release };
      const indexes: { ref: IndexRef; universe: PackageUniverse }[] = [];
      for (const component of config.components) {
        const index = pickIndex(release, component, config.arch);
        if (index === undefined) {
          if (required) throw new SourceError(`${url} lists no Packages index for ${component}/binary-${config.arch}`, "check from.components and from.archs");
          continue;
        }
        const universe = await packagesCatalog(host, where, index, store, config.offline, events);
        if (universe === undefined) {
          missing.push(`${base}/dists/${suite}/${index.path}`);
          continue;
        }
        indexes.push({ ref: { base, suite, inRelease: signed.sha256, path: index.path, sha256: index.sha256 }, universe });
      }
      return { missing, read: { where, indexes } };
    }),
  );
  const missing = suites.flatMap((s) => s.missing);
  if (missing.length > 0) {
    throw new SourceError(`offline, and the cache lacks:\n  ${missing.join("\n  ")}`, "run once without --offline to fill the cache");
  }
  const read = suites.flatMap((s) => (s.read === undefined ? [] : [s.read]));
  return {
    packages: joinUniverses(read.flatMap((s) => s.indexes.map((i) => i.universe))),
    indexes: read.flatMap((s) => s.indexes.map((i) => i.ref)),
    releases: read.map((s) => s.where),
  };
}

/**
 * A Packages index's packages, from its compact form (package-catalog.ts): from the cache when
 * it was built before (keyed by the index's signed sha256), else built from the verified
 * index, fetched when needed; undefined when offline and neither is cached. A compact form
 * that cannot be read (a damaged cache) is built again.
 */
async function packagesCatalog(
  host: Host,
  where: VerifiedRelease,
  index: { readonly path: string; readonly sha256: string; readonly size: number },
  store: BlobStore,
  offline: boolean,
  events: ArchiveEvents,
): Promise<PackageUniverse | undefined> {
  const key = `packages catalog v${CATALOG_VERSION} ${index.sha256}`;
  const known = await store.readMeta<{ sha256: string }>(key);
  if (known !== undefined && (await store.has(known.sha256))) {
    const file = await store.openRandom(known.sha256);
    try {
      return catalogOf(file, where.base, where.suite);
    } catch (error) {
      file.close();
      if (!(error instanceof CatalogFormatError)) throw error;
    }
  }
  // The compact form goes to the cache as it is made, and is read back from there. It is
  // named by the meta key only once the index proved to be the signed one.
  // The decoders are loaded only here, where a catalog is made: a build with its catalogs cached does without them.
  const { decompressStream, compressionOf } = await import("../extract/decompress.js");
  const build = (body: AsyncIterable<Uint8Array>) => store.put(compactPackagesIndexPieces(decompressStream(compressionOf(index.path), body)), undefined, "catalog");
  let stored: { sha256: string };
  if (await store.has(index.sha256)) stored = await build(store.open(index.sha256));
  else if (offline) return undefined;
  else stored = await fetchListedReading(host, where, index, store, events, build);
  await store.writeMeta(key, { sha256: stored.sha256 });
  return catalogOf(await store.openRandom(stored.sha256), where.base, where.suite);
}

/**
 * Puts an index a verified Release lists into the cache, checked against the sha256 the
 * signature covers (by-hash when the suite offers it); false when offline and not cached.
 */
export async function fetchListed(
  host: Host,
  where: VerifiedRelease,
  index: { readonly path: string; readonly sha256: string; readonly size: number },
  store: BlobStore,
  offline: boolean,
  events: ArchiveEvents = {},
): Promise<boolean> {
  if (await store.has(index.sha256)) return true;
  if (offline) return false;
  const url = listedUrl(where, index);
  const got = await httpGet(host, url);
  if (got.status !== 200 || got.body === undefined) throw new SourceError(`GET ${url}: the index the signed Release lists is missing from the mirror`);
  await store.put(got.body, { sha256: index.sha256, size: index.size }, url);
  events.onFetch?.(url, index.size);
  return true;
}

/**
 * fetchListed, with the body read as it arrives: the bytes go into the cache (checked against
 * the signed sha256) and through `read` at once, so decompressing and reading an index overlap
 * its download. What `read` made is returned only once the bytes proved to be the signed ones;
 * when they are not, that is the error, whatever `read` made of them.
 */
async function fetchListedReading<T>(
  host: Host,
  where: VerifiedRelease,
  index: { readonly path: string; readonly sha256: string; readonly size: number },
  store: BlobStore,
  events: ArchiveEvents,
  read: (body: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<T> {
  const url = listedUrl(where, index);
  const got = await httpGet(host, url);
  if (got.status !== 200 || got.body === undefined) throw new SourceError(`GET ${url}: the index the signed Release lists is missing from the mirror`);
  const source = got.body[Symbol.asyncIterator]();
  const toStore = channel<Uint8Array>();
  const storing = store.put(toStore.readable, { sha256: index.sha256, size: index.size }, url);
  storing.catch(() => undefined);
  let result: { value: T } | { error: unknown };
  try {
    result = {
      value: await read({
        [Symbol.asyncIterator]: () => ({
          async next() {
            const next = await source.next();
            if (next.done) toStore.end();
            else await toStore.push(next.value);
            return next;
          },
        }),
      }),
    };
  } catch (error) {
    result = { error };
  }
  // Whatever `read` left unread still goes to the cache, so the checksum speaks first.
  try {
    for (let next = await source.next(); !next.done; next = await source.next()) await toStore.push(next.value);
    toStore.end();
  } catch (error) {
    toStore.fail(error);
  }
  await storing;
  if ("error" in result) throw result.error;
  events.onFetch?.(url, index.size);
  return result.value;
}

/** A queue between one writer and one reader, the writer waiting while the reader is behind. */
function channel<T>(): { readable: AsyncIterable<T>; push(item: T): Promise<void>; end(): void; fail(error: unknown): void } {
  const queue: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  return {
    readable: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (queue.length > 0) {
            yield queue.shift() as T;
            space?.();
            space = undefined;
            continue;
          }
          if (failure !== undefined) throw failure.error;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    },
    async push(item) {
      if (ended) return;
      queue.push(item);
      signal();
      if (queue.length > 16) await new Promise<void>((resolve) => (space = resolve));
    },
    end() {
      ended = true;
      signal();
    },
    fail(error) {
      failure = { error };
      ended = true;
      signal();
    },
  };
}

function listedUrl(where: VerifiedRelease, index: { readonly path: string; readonly sha256: string }): string {
  const dir = index.path.slice(0, index.path.lastIndexOf("/") + 1);
  const path = where.release.acquireByHash ? `${dir}by-hash/SHA256/${index.sha256}` : index.path;
  return `${where.base}/dists/${where.suite}/${path}`;
}

async function fetchInRelease(
  host: Host,
  url: string,
  store: BlobStore,
  config: ArchiveConfig,
  events: ArchiveEvents,
  missing: string[],
): Promise<{ text: string; sha256: string } | undefined> {
  const key = `inrelease ${url}`;
  const meta = await store.readMeta<InReleaseMeta>(key);
  const cached = meta !== undefined && (await store.has(meta.sha256)) ? meta : undefined;
  if (config.offline) {
    if (cached === undefined) {
      // An optional suite never fetched is not known to exist; only the release itself is required.
      if (url.includes(`/dists/${config.release}/`)) missing.push(url);
      return undefined;
    }
    return { text: await verifiedText(store, cached.sha256, config.keyring, url), sha256: cached.sha256 };
  }
  const got = await httpGet(host, url, cached === undefined ? {} : { ...(cached.etag ? { etag: cached.etag } : {}), ...(cached.lastModified ? { lastModified: cached.lastModified } : {}) });
  if (got.status === 404) return undefined;
  if (got.status === 304 && cached !== undefined) {
    return { text: await verifiedText(store, cached.sha256, config.keyring, url), sha256: cached.sha256 };
  }
  if (got.body === undefined) throw new SourceError(`GET ${url}: the server answered 304 to a request that was not conditional`);
  const bytes = await collectBytes(got.body);
  events.onFetch?.(url, bytes.length);
  // Verify before anything is kept: an unverified InRelease never enters the cache, nor an
  // expired one (unless expired ones are allowed): the next run asks the mirror again. The
  // same bytes as a file verified before (a mirror that answers conditional requests in full)
  // are known already.
  const digest = createHash("sha256").update(bytes).digest("hex");
  const known = (await store.has(digest)) ? await store.readMeta<{ text: string }>(verifiedKey(digest, config.keyring)) : undefined;
  const text = known !== undefined && (await store.has(known.text)) ? new TextDecoder().decode(await store.read(known.text)) : await verifyInRelease(new TextDecoder().decode(bytes), config.keyring, url);
  checkFreshness(parseRelease(text, [], url), config.now, config.allowExpired, url);
  const stored = await store.putBytes(bytes);
  if (known === undefined) await rememberVerified(store, stored.sha256, config.keyring, text);
  await store.writeMeta(key, { sha256: stored.sha256, ...(got.etag ? { etag: got.etag } : {}), ...(got.lastModified ? { lastModified: got.lastModified } : {}) });
  return { text, sha256: stored.sha256 };
}

/**
 * The signed text of a cached InRelease. Its verification is remembered for that file and that
 * keyring, both by digest, as the cache remembers every other checked fact (a blob is the bytes
 * its digest names; a catalog was built from a verified index): a re-lock does not load
 * OpenPGP.js nor check three signatures again. Another keyring, or another InRelease, is
 * verified anew; freshness (`Valid-Until`) is checked on every use by the caller.
 */
async function verifiedText(store: BlobStore, inRelease: string, keyring: Keyring, url: string): Promise<string> {
  const known = await store.readMeta<{ text: string }>(verifiedKey(inRelease, keyring));
  if (known !== undefined && (await store.has(known.text))) return new TextDecoder().decode(await store.read(known.text));
  const text = await verifyInRelease(new TextDecoder().decode(await store.read(inRelease)), keyring, url);
  await rememberVerified(store, inRelease, keyring, text);
  return text;
}

async function rememberVerified(store: BlobStore, inRelease: string, keyring: Keyring, text: string): Promise<void> {
  const stored = await store.putBytes(new TextEncoder().encode(text));
  await store.writeMeta(verifiedKey(inRelease, keyring), { text: stored.sha256 });
}

const verifiedKey = (inRelease: string, keyring: Keyring) => `inrelease verified v1 ${inRelease} ${keyring.digest}`;

/**
 * The form of a component's Packages index to read: gzip when the Release lists it, else xz,
 * else plain. A fixed rule, so every machine locks to the same index. gzip rather than xz
 * because reading an index is bound by the CPU, not the download: bookworm main is 12.1 MB
 * gzipped against 8.8 MB as xz, but zlib decodes it in half the time (0.25 s against 0.5 s
 * for its 50 MB), on a thread of its own, while the main thread builds the catalog
 * (docs/source.md). The security archive lists no gzip form; its index is small.
 */
function pickIndex(release: Release, component: string, arch: string): { path: string; sha256: string; size: number } | undefined {
  for (const suffix of [".gz", ".xz", ""]) {
    const path = `${component}/binary-${arch}/Packages${suffix}`;
    const file = release.files.get(path);
    if (file !== undefined) return { path, ...file };
  }
  return undefined;
}

/** A mirror that serves another release under this name is refused (a wrong path, or a replay). */
function checkCodename(release: Release, suite: string, wanted: string, url: string): void {
  const names = [release.codename, release.suite].filter(Boolean);
  const accepted = [suite, wanted, `${wanted}-updates`, `${wanted}-security`];
  if (names.length > 0 && !names.some((n) => accepted.includes(n))) {
    throw new SourceError(`${url} is signed for "${release.codename || release.suite}", not "${suite}"`);
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
