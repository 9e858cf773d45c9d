/** The media types mcc writes and a registry client meets: OCI's and Docker's manifests and indexes, OCI's config and layer. */
export const MEDIA = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociEmpty: "application/vnd.oci.empty.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** An SPDX 2.3 JSON document: the SBOM mcc attaches to each image. */
export const SPDX_MEDIA_TYPE = "application/spdx+json";

/** mcc's provenance document: why each file is in the image, and the plan that made it. */
export const PROVENANCE_MEDIA_TYPE = "application/vnd.mcc.provenance.v2+json";

/** Every manifest type mcc reads, for the Accept header of manifest GETs. */
export const MANIFEST_ACCEPT: readonly string[] = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest];

/** Whether a media type is an index (OCI's image index or Docker's manifest list). */
export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

/** Whether a media type is an image manifest (OCI's or Docker's schema 2). */
export function isManifestType(mediaType: string): boolean {
  return mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest;
}

/** A content descriptor, as manifests and indexes list them. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly platform?: { readonly architecture: string; readonly os: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The fields of a manifest or an index that a client follows. */
export interface ManifestDocument {
  readonly schemaVersion?: number;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers?: readonly Descriptor[];
  readonly manifests?: readonly Descriptor[];
  readonly subject?: Descriptor;
}

/**
 * The media type of manifest bytes: the `mediaType` field, else guessed from the shape (OCI
 * allows leaving it out); the Content-Type a registry sends is only a fallback.
 */
export function manifestMediaType(doc: ManifestDocument, fallback?: string): string {
  if (typeof doc.mediaType === "string" && doc.mediaType !== "") return doc.mediaType;
  if (Array.isArray(doc.manifests)) return MEDIA.ociIndex;
  if (doc.config !== undefined) return MEDIA.ociManifest;
  return fallback ?? MEDIA.ociManifest;
}
