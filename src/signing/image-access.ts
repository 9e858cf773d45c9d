// What signing and verifying read of an image, wherever it is: a registry (through the
// client) or an OCI layout on disk (what mcc compile wrote, before it is pushed). Every
// manifest and blob read is checked against its digest; a mismatch throws.
import { createHash } from "node:crypto";
import { collectBytes } from "../host/host.js";
import type { RegistryClient } from "../registry/client.js";
import { sha256Digest } from "../registry/digest-stream.js";
import { RegistryError } from "../registry/errors.js";
import type { LayoutSource } from "../registry/oci-source.js";
import { planPush } from "../registry/push-plan.js";
import { readReferrersTag } from "../registry/referrers-tag.js";
import { isIndexType, manifestMediaType, type Descriptor, type ManifestDocument } from "../formats/oci-media-types.js";

export interface FetchedManifest {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly mediaType: string;
}

export interface ImageAccess {
  /** The manifest (or index) the reference or the layout names. */
  top(): Promise<FetchedManifest>;
  manifest(digest: string): Promise<FetchedManifest>;
  /** A (small) blob's bytes, checked against its digest and size. */
  blob(digest: string, size: number): Promise<Buffer>;
  /** Reads a blob through and checks it against its digest and size, keeping nothing. */
  checkBlob(digest: string, size: number): Promise<void>;
  /** The artifacts (SBOM, provenance) whose subject is the manifest `digest`. */
  referrers(digest: string): Promise<readonly Descriptor[]>;
}

/** The top manifest (fetched here unless given), then each platform's of an index. */
export async function manifestsOf(access: ImageAccess, fetched?: FetchedManifest): Promise<FetchedManifest[]> {
  const top = fetched ?? (await access.top());
  const out = [top];
  if (isIndexType(top.mediaType)) {
    const doc = JSON.parse(top.bytes.toString("utf8")) as ManifestDocument;
    for (const child of doc.manifests ?? []) out.push(await access.manifest(child.digest));
  }
  return out;
}

/** An image in a registry, as `ref` (a tag or a digest) names it in `repository`. */
export function registryAccess(client: RegistryClient, repository: string, ref: string): ImageAccess {
  return {
    top: () => client.getManifest(repository, ref),
    manifest: (digest) => client.getManifest(repository, digest),
    async blob(digest, size) {
      // The client checks the sha256 and size as the blob streams by.
      return collectBytes(await client.getBlob(repository, digest, size));
    },
    async checkBlob(digest, size) {
      for await (const _ of await client.getBlob(repository, digest, size));
    },
    async referrers(digest) {
      const api = await client.getReferrers(repository, digest);
      return api.supported ? api.manifests : readReferrersTag(client, repository, digest);
    },
  };
}

/** The image of an OCI layout (or oci-archive) mcc wrote: its tagged image and the referrers beside it. */
export async function layoutAccess(source: LayoutSource, tag?: string): Promise<ImageAccess> {
  const plan = await planPush(source.entries, (d) => source.readBlob(d), tag);
  const read = async (digest: string, size?: number): Promise<Buffer> => {
    const bytes = await source.readBlob(digest);
    if (sha256Digest(bytes) !== digest || (size !== undefined && bytes.length !== size)) throw new RegistryError(`the layout's blob ${digest} does not match its digest`, "integrity");
    return bytes;
  };
  const asManifest = async (digest: string): Promise<FetchedManifest> => {
    const bytes = await read(digest);
    return { digest, bytes, mediaType: manifestMediaType(JSON.parse(bytes.toString("utf8")) as ManifestDocument, undefined) };
  };
  return {
    top: async () => plan.top,
    manifest: asManifest,
    blob: (digest, size) => read(digest, size),
    async checkBlob(digest, size) {
      // A layer is hashed as it streams by, never held whole.
      const hash = createHash("sha256");
      let length = 0;
      for await (const chunk of source.openBlob(digest)) {
        hash.update(chunk as Buffer);
        length += (chunk as Buffer).length;
      }
      if (`sha256:${hash.digest("hex")}` !== digest || length !== size) throw new RegistryError(`the layout's blob ${digest} does not match its digest`, "integrity");
    },
    async referrers(digest) {
      return plan.referrers.filter((r) => r.subject === digest).map((r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.bytes.length, ...(r.artifactType === undefined ? {} : { artifactType: r.artifactType }) }));
    },
  };
}
