import { sha256Digest } from "./digest-stream.js";
import { REF_NAME, refNameMatches } from "../formats/oci-layout.js";
import { RegistryError } from "./errors.js";
import { isIndexType, isManifestType, manifestMediaType, type Descriptor, type ManifestDocument } from "../formats/oci-media-types.js";

/** A manifest or index to PUT: its bytes as stored, so its digest is kept. */
export interface PlannedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** For images: the platform the index gives it (for messages). */
  readonly platform?: string;
}

/** An artifact (an SBOM) that refers to one of the pushed manifests. */
export interface PlannedReferrer extends PlannedManifest {
  readonly subject: string;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * What a push sends, in order: blobs, then image manifests (by digest), then the tagged top
 * (an index or the one manifest), then the artifacts whose `subject` is a pushed manifest.
 */
export interface PushPlan {
  readonly blobs: readonly Descriptor[];
  readonly manifests: readonly PlannedManifest[];
  readonly top: PlannedManifest;
  readonly referrers: readonly PlannedReferrer[];
  /** index.json entries not pushed (artifacts about something else), for messages. */
  readonly ignored: readonly Descriptor[];
}

/**
 * Plans a push of a layout's tagged image (the one entry without `artifactType`, or the one
 * whose `org.opencontainers.image.ref.name` is `tag` when there are several). Every manifest
 * read is checked against its descriptor's digest and size. The reader is the only I/O.
 */
export async function planPush(entries: readonly Descriptor[], read: (digest: string) => Promise<Buffer>, tag?: string): Promise<PushPlan> {
  const load = async (d: Descriptor): Promise<{ bytes: Buffer; doc: ManifestDocument }> => {
    const bytes = await read(d.digest);
    if (sha256Digest(bytes) !== d.digest || bytes.length !== d.size) throw new RegistryError(`the layout's blob ${d.digest} does not match its descriptor (digest or size)`, "layout");
    try {
      return { bytes, doc: JSON.parse(bytes.toString("utf8")) as ManifestDocument };
    } catch {
      throw new RegistryError(`the layout's manifest ${d.digest} is not JSON`, "layout");
    }
  };
  const images = entries.filter((e) => e.artifactType === undefined && (isIndexType(e.mediaType) || isManifestType(e.mediaType)));
  const named = (e: Descriptor) => e.annotations?.[REF_NAME];
  const chosen = images.length === 1 ? images[0] : images.find((e) => tag !== undefined && refNameMatches(named(e), tag));
  if (chosen === undefined) {
    throw new RegistryError(
      images.length === 0 ? "the layout's index.json names no image" : `the layout names ${images.length} images (${images.map((e) => named(e) ?? e.digest).join(", ")}); give a tag that matches one`,
      "layout",
    );
  }

  const blobs = new Map<string, Descriptor>();
  const manifests: PlannedManifest[] = [];
  const seen = new Set<string>();
  const addBlobs = (doc: ManifestDocument, where: string) => {
    if (doc.config === undefined || !Array.isArray(doc.layers)) throw new RegistryError(`the layout's manifest ${where} has no config or layers`, "layout");
    for (const b of [doc.config, ...doc.layers]) if (!blobs.has(b.digest)) blobs.set(b.digest, b);
  };
  // Children first: a registry checks that what an index names is already there.
  const visit = async (d: Descriptor, depth: number): Promise<PlannedManifest> => {
    if (depth > 4) throw new RegistryError("the layout's indexes nest deeper than 4", "layout");
    const { bytes, doc } = await load(d);
    const mediaType = manifestMediaType(doc, d.mediaType);
    if (isIndexType(mediaType)) {
      for (const child of doc.manifests ?? []) {
        const planned = await visit(child, depth + 1);
        if (!seen.has(planned.digest)) {
          seen.add(planned.digest);
          manifests.push(planned);
        }
      }
    } else {
      addBlobs(doc, d.digest);
    }
    const p = d.platform;
    return { digest: d.digest, mediaType, bytes, ...(p === undefined ? {} : { platform: `${p.os}/${p.architecture}${p.variant === undefined ? "" : `/${p.variant}`}` }) };
  };
  const top = await visit(chosen, 0);
  const pushed = new Set([...manifests.map((m) => m.digest), top.digest]);

  const referrers: PlannedReferrer[] = [];
  const ignored: Descriptor[] = [];
  for (const e of entries) {
    if (e === chosen) continue;
    if (images.includes(e)) {
      ignored.push(e);
      continue;
    }
    const { bytes, doc } = await load(e);
    const subject = doc.subject?.digest;
    if (subject === undefined || !pushed.has(subject) || !isManifestType(manifestMediaType(doc, e.mediaType))) {
      ignored.push(e);
      continue;
    }
    addBlobs(doc, e.digest);
    const artifactType = doc.artifactType ?? e.artifactType;
    const annotations = (doc as { annotations?: Record<string, string> }).annotations;
    referrers.push({ digest: e.digest, mediaType: manifestMediaType(doc, e.mediaType), bytes, subject, ...(artifactType === undefined ? {} : { artifactType }), ...(annotations === undefined ? {} : { annotations }) });
  }
  return { blobs: [...blobs.values()], manifests, top, referrers, ignored };
}
