import type { RegistryClient } from "./client.js";
import { RegistryError } from "./errors.js";
import type { Descriptor } from "../formats/oci-media-types.js";
import type { LayoutSource } from "./oci-source.js";
import { forEachLimited } from "../concurrency.js";
import { planPush } from "./push-plan.js";
import type { ImageReference } from "./reference.js";
import { updateReferrersTag } from "./referrers-tag.js";

/** What a push did, counted (the CLI prints it; tests assert on it). */
export interface PushReport {
  /** The digest of what the reference names now (the index, or the one manifest). */
  readonly digest: string;
  readonly mediaType: string;
  readonly blobs: { readonly total: number; readonly uploaded: number; readonly chunked: number; readonly mounted: number; readonly skipped: number; readonly bytesUploaded: number };
  readonly manifests: number;
  readonly referrers: number;
  /** Fallback tags (`sha256-<hex>`) written because the registry has no referrers API. */
  readonly referrerTags: readonly string[];
  readonly ignored: number;
}

/** Options of a push. */
export interface PushOptions {
  /** A repository of the same registry that may hold the blobs: mounted from there, not uploaded. */
  readonly mountFrom?: string;
  /** Blobs sent at once (default 3). */
  readonly parallel?: number;
  /** One line per thing done, for progress. */
  readonly log?: (line: string) => void;
}

const short = (digest: string) => digest.slice(0, 19);

/**
 * Pushes a layout's image to `ref`: blobs the repository lacks (HEAD first; mounted from
 * `mountFrom` when it can be), the image manifests by digest, the top under the tag (or
 * its digest), then the SBOM artifacts by digest, and, where the registry has no referrers
 * API, the `sha256-<hex>` fallback tag listing them.
 */
export async function pushLayout(client: RegistryClient, source: LayoutSource, ref: ImageReference, options: PushOptions = {}): Promise<PushReport> {
  const log = options.log ?? (() => undefined);
  const repo = ref.repository;
  const plan = await planPush(source.entries, (d) => source.readBlob(d), ref.tag);
  if (ref.digest !== undefined && ref.digest !== plan.top.digest) {
    throw new RegistryError(`the reference names ${ref.digest}, but the layout's image is ${plan.top.digest}`, "layout", "push by tag, or give the layout's digest");
  }
  const counts = { uploaded: 0, chunked: 0, mounted: 0, skipped: 0, bytesUploaded: 0 };
  await forEachLimited(plan.blobs, options.parallel ?? 3, async (blob: Descriptor) => {
    if (await client.hasBlob(repo, blob.digest)) {
      counts.skipped++;
      log(`blob ${short(blob.digest)} ${blob.size} bytes: already there, skipped`);
      return;
    }
    const how = await client.putBlob(repo, () => source.openBlob(blob.digest), blob, options.mountFrom === undefined ? {} : { mountFrom: options.mountFrom });
    counts[how]++;
    if (how !== "mounted") counts.bytesUploaded += blob.size;
    log(`blob ${short(blob.digest)} ${blob.size} bytes: ${how === "mounted" ? `mounted from ${options.mountFrom}` : how === "chunked" ? "uploaded in chunks" : "uploaded"}`);
  });
  for (const m of plan.manifests) {
    await client.putManifest(repo, m.digest, m.bytes, m.mediaType);
    log(`manifest ${short(m.digest)}${m.platform === undefined ? "" : ` (${m.platform})`}: put`);
  }
  const topRef = ref.tag ?? plan.top.digest;
  const digest = await client.putManifest(repo, topRef, plan.top.bytes, plan.top.mediaType);
  log(`${plan.top.mediaType.includes("index") || plan.top.mediaType.includes("list") ? "index" : "manifest"} ${short(digest)}: put as ${topRef}`);
  if (ref.tag !== undefined && ref.digest !== undefined) await client.putManifest(repo, ref.digest, plan.top.bytes, plan.top.mediaType);

  const referrerTags: string[] = [];
  const bySubject = new Map<string, Descriptor[]>();
  for (const r of plan.referrers) {
    await client.putManifest(repo, r.digest, r.bytes, r.mediaType);
    log(`referrer ${short(r.digest)} (${r.artifactType ?? "artifact"}) of ${short(r.subject)}: put`);
    const list = bySubject.get(r.subject) ?? [];
    list.push({ mediaType: r.mediaType, digest: r.digest, size: r.bytes.length, ...(r.artifactType === undefined ? {} : { artifactType: r.artifactType }), ...(r.annotations === undefined ? {} : { annotations: r.annotations }) });
    bySubject.set(r.subject, list);
  }
  for (const [subject, added] of bySubject) {
    // A registry with the referrers API lists them itself; otherwise the tag schema does.
    const api = await client.getReferrers(repo, subject);
    if (api.supported) continue;
    const tag = await updateReferrersTag(client, repo, subject, added);
    if (tag !== undefined) {
      referrerTags.push(tag);
      log(`referrers of ${short(subject)}: listed under the tag ${tag} (the registry has no referrers API)`);
    }
  }
  return {
    digest,
    mediaType: plan.top.mediaType,
    blobs: { total: plan.blobs.length, ...counts },
    manifests: plan.manifests.length + 1,
    referrers: plan.referrers.length,
    referrerTags,
    ignored: plan.ignored.length,
  };
}
