// What the steps give one another and keep in the cache: plain JSON, blobs by digest.
import type { Blob } from "../formats/oci-documents.js";

/** The result of a `manifest` step: the image's blobs. */
export interface ManifestResult extends Blob {
  readonly kind: "manifest";
  readonly arch: string;
  readonly config: Blob;
  /** Bottom first, each with its uncompressed digest (hex). */
  readonly layers: readonly LayerResult[];
}

/** The result of a `layer` step: the gzip blob, and its tar's digest (the config's diff_id, hex). */
export interface LayerResult extends Blob {
  readonly kind: "layer";
  readonly diffId: string;
  /** Which of the image's files it holds, when they are split: the packages' or the spec's own. */
  readonly part?: LayerPart;
}

export type LayerPart = "packages" | "spec";

/** The result of an `sbom` step: the SPDX blob and the artifact manifest that attaches it. */
export interface SbomResult {
  readonly kind: "sbom";
  readonly arch: string;
  readonly subject: Blob;
  readonly sbom: Blob;
  readonly artifact: Blob;
}

/** The result of a `provenance` step: the document's blob and the artifact manifest that attaches it. */
export interface ProvenanceResult extends Omit<SbomResult, "kind" | "sbom"> {
  readonly kind: "provenance";
  readonly provenance: SbomResult["sbom"];
}
