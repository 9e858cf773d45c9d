// The index.json of an OCI image layout, as mcc writes and reads it. Pure.
import { createHash } from "node:crypto";
import { isIndexType, isManifestType, MEDIA, type Descriptor } from "./oci-media-types.js";

/** The annotation that names an image in a layout's index.json. */
export const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * The annotation of index.json that names the index of the layout's referrers (the SBOM and
 * provenance artifact manifests, each with its `subject`), kept as a blob of the layout.
 */
export const REFERRERS_ANNOTATION = "vnd.mcc.referrers";

/**
 * A layout's index.json, and the index of its referrers when there are any.
 *
 * index.json lists exactly one entry, the image (its manifest, or the index of its
 * platforms), named `NAME:TAG` as `podman save` names what it writes: with a single entry,
 * `podman load -i`, `podman pull oci:` and `oci-archive:`, and `skopeo` without a tag take it
 * as it is, and podman names it `localhost/NAME:TAG`. Clients refuse a layout whose index.json
 * lists more than one manifest ("more than one image in oci"), so the SBOM and provenance
 * artifacts are listed in an index of their own, a blob of the layout, which an annotation of
 * index.json names. `mcc push` sends them to a registry as OCI 1.1 referrers.
 */
export function layoutIndex(named: Descriptor, referrers: readonly Descriptor[]): { index: Buffer; referrers?: { digest: string; size: number; bytes: Buffer } } {
  // In a fixed order (by type, then digest), so a layout pulled back holds the same index.
  const order = (d: Descriptor) => `${d.artifactType ?? ""} ${d.digest}`;
  const sorted = [...referrers].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const list = referrers.length === 0 ? undefined : Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: sorted }));
  const listed = list === undefined ? undefined : { digest: `sha256:${createHash("sha256").update(list).digest("hex")}`, size: list.length, bytes: list };
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.ociIndex,
    manifests: [named],
    ...(listed === undefined ? {} : { annotations: { [REFERRERS_ANNOTATION]: listed.digest } }),
  };
  return { index: Buffer.from(JSON.stringify(index)), ...(listed === undefined ? {} : { referrers: listed }) };
}

/** What a layout's index.json says: the images it names, and the referrers (artifact manifests) beside them. */
export interface LayoutEntries {
  readonly images: readonly Descriptor[];
  readonly referrers: readonly Descriptor[];
}

/**
 * Reads a layout's index.json: the entries that are images, and the referrers, from the index
 * the annotation names and from index.json itself (where mcc listed them before, and where
 * other tools put them). `readBlob` reads a blob of the layout by digest.
 */
export async function readLayoutEntries(index: unknown, readBlob: (digest: string) => Promise<Uint8Array>): Promise<LayoutEntries> {
  const doc = (typeof index === "object" && index !== null ? index : {}) as { manifests?: unknown; annotations?: Record<string, unknown> };
  const listed = Array.isArray(doc.manifests) ? (doc.manifests as Descriptor[]) : [];
  const images = listed.filter((d) => d.artifactType === undefined && (isIndexType(d.mediaType) || isManifestType(d.mediaType)));
  const referrers = listed.filter((d) => !images.includes(d));
  const named = doc.annotations?.[REFERRERS_ANNOTATION];
  if (typeof named === "string") {
    const bytes = await readBlob(named);
    const list = JSON.parse(new TextDecoder().decode(bytes)) as { manifests?: Descriptor[] };
    referrers.push(...(list.manifests ?? []));
  }
  return { images, referrers };
}

/**
 * Whether an image's `ref.name` answers to `wanted`: the same text, or, for a name of the form
 * `NAME:TAG` (or `HOST/NAME:TAG`), its tag, so `latest` finds `curl:latest`.
 */
export function refNameMatches(refName: string | undefined, wanted: string): boolean {
  if (refName === undefined) return false;
  if (refName === wanted) return true;
  const colon = refName.lastIndexOf(":");
  return colon > refName.lastIndexOf("/") && refName.slice(colon + 1) === wanted;
}
