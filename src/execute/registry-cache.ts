import { EMPTY_DESCRIPTOR, EMPTY_JSON } from "../formats/oci-documents.js";
import type { CacheHit, StepCache } from "./execute.js";
import { collectBytes } from "../host/host.js";
import type { PlanStep, StepKind } from "../plan/build-plan.js";
import type { RegistryClient } from "../registry/client.js";
import { RegistryError } from "../registry/errors.js";
import { forEachLimited } from "../concurrency.js";
import type { BlobStore } from "../cache/store.js";

/** The media types of a cache entry (see docs/registry-cache.md). */
export const CACHE_MEDIA = {
  artifact: "application/vnd.mcc.step.v1",
  result: "application/vnd.mcc.step.result.v1+json",
  blob: "application/octet-stream",
  manifest: "application/vnd.oci.image.manifest.v1+json",
} as const;


/** The tag of a step's entry: the step id is already a content address. */
export function cacheTag(stepId: string): string {
  return `step-${stepId}`;
}

/** What the shared cache did during one build, for the summary line and for tests. */
export interface RegistryCacheStats {
  /** Step results taken from the registry, and the blobs and bytes that came with them. */
  hits: number;
  blobsFetched: number;
  bytesFetched: number;
  /** Entries written to the registry, and their blobs uploaded or found there already. */
  pushed: number;
  blobsPushed: number;
  blobsPresent: number;
  /** The first failure talking to the registry; the cache was not used after it. */
  problem?: string;
}

export interface RegistryCacheOptions {
  readonly local: StepCache;
  readonly store: BlobStore;
  /** Read entries from this client and repository (`--cache-from`). */
  readonly from?: { readonly client: RegistryClient; readonly repo: string };
  /** Write entries to this client and repository (`--cache-to`). */
  readonly to?: { readonly client: RegistryClient; readonly repo: string };
  /** Which kinds are shared: those whose result and blobs are the whole of their output. */
  readonly shared: ReadonlySet<StepKind>;
  /** The blobs (sha256 hex) a result refers to, which whoever uses it will read. */
  readonly blobsOf: (step: PlanStep, result: unknown) => readonly string[];
  /** How many blobs move at once (default 4). */
  readonly parallel?: number;
}

/**
 * A step cache in two tiers: this machine's, then a registry repository shared by a team.
 * An entry is an OCI artifact manifest tagged `step-<id>`: the result JSON as its first
 * layer and every blob the result refers to as the next ones, so the registry's own
 * content addressing dedups them across entries and builds. A result taken from the registry
 * is written to the local cache only after all its blobs are: the local cache never refers
 * to a blob it lacks. A registry that fails is reported once and then left alone; the build
 * goes on from the mirror, as it would without a shared cache.
 */
export function createRegistryCache(options: RegistryCacheOptions): StepCache & { readonly stats: RegistryCacheStats } {
  const { local, store } = options;
  const stats: RegistryCacheStats = { hits: 0, blobsFetched: 0, bytesFetched: 0, pushed: 0, blobsPushed: 0, blobsPresent: 0 };
  let broken = false;
  const parallel = options.parallel ?? 4;

  const guard = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    if (broken) return undefined;
    try {
      return await f();
    } catch (error) {
      if (!(error instanceof RegistryError) && !isNetworkError(error)) throw error;
      broken = true;
      stats.problem = `${what}: ${(error as Error).message}`;
      return undefined;
    }
  };

  const fetchEntry = async (step: PlanStep, from: NonNullable<RegistryCacheOptions["from"]>): Promise<unknown> => {
    let manifest;
    try {
      manifest = await from.client.getManifest(from.repo, cacheTag(step.id), [CACHE_MEDIA.manifest]);
    } catch (error) {
      if (error instanceof RegistryError && error.kind === "not-found") return undefined;
      throw error;
    }
    const doc = JSON.parse(manifest.bytes.toString("utf8")) as { artifactType?: string; layers?: { mediaType: string; digest: string; size: number }[] };
    const [resultLayer, ...blobs] = doc.layers ?? [];
    if (doc.artifactType !== CACHE_MEDIA.artifact || resultLayer?.mediaType !== CACHE_MEDIA.result) {
      throw new RegistryError(`${from.client.host}/${from.repo}:${cacheTag(step.id)} is not an mcc cache entry`, "protocol");
    }
    const missing = [];
    for (const blob of blobs) if (!(await store.has(hexOf(blob.digest)))) missing.push(blob);
    await forEachLimited(missing, parallel, async (blob) => {
      const body = await from.client.getBlob(from.repo, blob.digest, blob.size);
      await store.put(body, { sha256: hexOf(blob.digest), size: blob.size }, `${blob.digest} from the shared cache`);
      stats.blobsFetched++;
      stats.bytesFetched += blob.size;
    });
    return JSON.parse((await collectBytes(await from.client.getBlob(from.repo, resultLayer.digest, resultLayer.size))).toString("utf8")) as unknown;
  };

  // Entries are written while other steps run, and many share blobs (the empty config, a
  // layer named by its layer and manifest entries): each blob is checked and uploaded once per
  // build, and an entry that needs one being uploaded waits for it. Two uploads of one blob at
  // once make docker-registry 2.8 refuse one (DIGEST_INVALID) or answer HEAD with a 500.
  const uploads = new Map<string, Promise<void>>();
  const ensureBlob = (to: NonNullable<RegistryCacheOptions["to"]>, blob: { digest: string; size: number }): Promise<void> => {
    let upload = uploads.get(blob.digest);
    if (upload === undefined) {
      upload = (async () => {
        if (await to.client.hasBlob(to.repo, blob.digest)) {
          stats.blobsPresent++;
          return;
        }
        const content = blob.digest === EMPTY_DESCRIPTOR.digest ? EMPTY_JSON : () => store.open(hexOf(blob.digest));
        await to.client.putBlob(to.repo, content, { digest: blob.digest, size: blob.size });
        stats.blobsPushed++;
      })();
      uploads.set(blob.digest, upload);
      // A failed upload may be tried again by a later entry.
      upload.catch(() => uploads.delete(blob.digest));
    }
    return upload;
  };

  const pushEntry = async (step: PlanStep, result: unknown, to: NonNullable<RegistryCacheOptions["to"]>): Promise<void> => {
    const tag = cacheTag(step.id);
    const known = await to.client.getManifest(to.repo, tag, [CACHE_MEDIA.manifest]).catch((error: unknown) => {
      if (error instanceof RegistryError && error.kind === "not-found") return undefined;
      throw error;
    });
    if (known !== undefined) return;
    const resultBytes = Buffer.from(JSON.stringify(result));
    const resultBlob = await store.putBytes(resultBytes);
    const blobs = [];
    for (const sha256 of [...new Set(options.blobsOf(step, result))].sort()) blobs.push({ mediaType: CACHE_MEDIA.blob, digest: `sha256:${sha256}`, size: await sizeOf(store, sha256) });
    const layers = [{ mediaType: CACHE_MEDIA.result, digest: `sha256:${resultBlob.sha256}`, size: resultBlob.size }, ...blobs];
    await forEachLimited([EMPTY_DESCRIPTOR, ...layers], parallel, (blob) => ensureBlob(to, blob));
    const manifest = {
      schemaVersion: 2,
      mediaType: CACHE_MEDIA.manifest,
      artifactType: CACHE_MEDIA.artifact,
      config: EMPTY_DESCRIPTOR,
      layers,
      annotations: { "dev.mcc.step.kind": step.kind, "dev.mcc.step.id": step.id },
    };
    await to.client.putManifest(to.repo, tag, Buffer.from(JSON.stringify(manifest)), CACHE_MEDIA.manifest);
    stats.pushed++;
  };

  return {
    stats,
    async get(step): Promise<CacheHit | undefined> {
      const hit = await local.get(step);
      const shared = options.shared.has(step.kind);
      if (hit !== undefined) {
        // A warm machine fills the shared cache too: what it has, the registry gets.
        if (shared && options.to !== undefined) await guard("writing the shared cache", () => pushEntry(step, hit.result, options.to!));
        return hit;
      }
      if (!shared || options.from === undefined) return undefined;
      const result = await guard("reading the shared cache", () => fetchEntry(step, options.from!));
      if (result === undefined) return undefined;
      await local.set(step, result);
      stats.hits++;
      return { result, from: "remote" };
    },
    async set(step, result) {
      await local.set(step, result);
      if (options.shared.has(step.kind) && options.to !== undefined) await guard("writing the shared cache", () => pushEntry(step, result, options.to!));
    },
  };
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, "");
}

function isNetworkError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^(ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code);
}

async function sizeOf(store: BlobStore, sha256: string): Promise<number> {
  const size = await store.sizeOf(sha256);
  if (size === undefined) throw new Error(`the cache has no blob ${sha256} for a step's result`);
  return size;
}
