import type { RegistryClient } from "./client.js";
import { RegistryError } from "./errors.js";
import { MEDIA, type Descriptor, type ManifestDocument } from "../formats/oci-media-types.js";

/**
 * The OCI 1.1 referrers tag schema, for registries without the referrers API: the
 * referrers of `sha256:<hex>` are listed in an image index tagged `sha256-<hex>`.
 */
export function referrersTag(subject: string): string {
  return subject.replace(":", "-");
}

/** The referrers index with `added` merged in (by digest, kept sorted by digest). Pure. */
export function mergeReferrers(existing: readonly Descriptor[], added: readonly Descriptor[]): Buffer {
  const all = new Map<string, Descriptor>();
  for (const d of [...existing, ...added]) all.set(d.digest, d);
  const manifests = [...all.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}

/** The referrers listed under a subject's fallback tag; none when the tag does not exist. */
export async function readReferrersTag(client: RegistryClient, repo: string, subject: string): Promise<Descriptor[]> {
  try {
    const found = await client.getManifest(repo, referrersTag(subject), [MEDIA.ociIndex]);
    return [...((JSON.parse(found.bytes.toString("utf8")) as ManifestDocument).manifests ?? [])];
  } catch (error) {
    if (error instanceof RegistryError && error.kind === "not-found") return [];
    throw error;
  }
}

/**
 * Makes a subject's referrers findable on a registry without the referrers API: reads the
 * fallback tag's index, adds the new descriptors and puts it back. Returns the tag, or
 * undefined when nothing changed.
 */
export async function updateReferrersTag(client: RegistryClient, repo: string, subject: string, added: readonly Descriptor[]): Promise<string | undefined> {
  const existing = await readReferrersTag(client, repo, subject);
  if (added.every((a) => existing.some((e) => e.digest === a.digest))) return undefined;
  const tag = referrersTag(subject);
  await client.putManifest(repo, tag, mergeReferrers(existing, added), MEDIA.ociIndex);
  return tag;
}
