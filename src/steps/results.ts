// What the steps give one another and keep in the cache: plain JSON, blobs by digest.
import type { Blob } from "../formats/oci-documents.js";

/** The result of a `manifest` step: the image's three blobs. */
export interface ManifestResult extends Blob {
  readonly kind: "manifest";
  readonly arch: string;
  readonly config: Blob;
  readonly layer: Blob;
  /** The layer's uncompressed digest, hex. */
  readonly diffId: string;
}

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
