import type { BlobStore } from "../cache/store.js";
import { artifactManifestBytes, EMPTY_JSON } from "../formats/oci-documents.js";
import { buildProvenance, provenanceBytes } from "../provenance/provenance.js";
import { PROVENANCE_MEDIA_TYPE } from "../formats/oci-media-types.js";
import type { TreeResult } from "../assemble/image-tree.js";
import type { ProvenanceParams } from "../plan/step-params.js";
import type { ManifestResult, ProvenanceResult } from "./results.js";

/**
 * Writes the provenance document of one image into the cache, with an OCI 1.1 artifact
 * manifest whose subject is the image manifest (as the SBOM is attached).
 */
export async function provenanceStep(params: ProvenanceParams, tree: TreeResult, manifest: ManifestResult, store: BlobStore): Promise<ProvenanceResult> {
  const doc = buildProvenance({
    image: {
      name: params.name,
      arch: params.arch,
      release: params.release,
      executable: params.executable,
      tool: params.tool,
      manifest: manifest.digest,
      diffIds: manifest.layers.map((l) => `sha256:${l.diffId}`),
    },
    packages: params.packages,
    entries: tree.entries,
    reasons: new Map(tree.reasons),
    steps: params.steps,
  });
  const blob = await store.putBytes(provenanceBytes(doc));
  await store.putBytes(EMPTY_JSON);
  const provenance = { digest: `sha256:${blob.sha256}`, size: blob.size };
  const subject = { digest: manifest.digest, size: manifest.size };
  const artifact = await store.putBytes(artifactManifestBytes(PROVENANCE_MEDIA_TYPE, provenance, `${params.name}.provenance.json`, subject, params.epoch));
  return { kind: "provenance", arch: params.arch, subject, provenance, artifact: { digest: `sha256:${artifact.sha256}`, size: artifact.size } };
}
