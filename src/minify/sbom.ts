import type { LayoutImage, LayoutSbom } from "../formats/oci-documents.js";
import { artifactManifestBytes, EMPTY_JSON } from "../formats/oci-documents.js";
import type { ImageTree } from "../assemble/image-tree.js";
import { sbomOf } from "../sbom/image-sbom.js";
import type { BlobStore } from "../cache/store.js";
import { parseParagraphs } from "../debian/deb822.js";
import { SPDX_MEDIA_TYPE } from "../formats/oci-media-types.js";
import type { Spec } from "../types/spec.js";
import { VERSION } from "../version.js";
import type { ImagePackages } from "./image-packages.js";

/**
 * The SPDX SBOM of a minified image, made by the same code as a compiled image's: the packages
 * that still own a kept file (name, version, source package from the image's dpkg records,
 * the license their copyright file in the image declares; no .deb digest, since there was no
 * .deb), every file with its checksums, and the artifact manifest that attaches it to the image.
 */
export async function minifiedSbom(
  tree: ImageTree,
  spec: Spec,
  arch: string,
  epoch: number,
  image: LayoutImage & { diffId: string },
  packages: ImagePackages,
  store: BlobStore,
): Promise<LayoutSbom> {
  const installed = packages.database.packages.map((p) => {
    const source = parseParagraphs(p.control)[0]?.get("source")?.split(/\s+/)[0] ?? p.name;
    return { name: p.name, version: p.version, arch: p.arch, source, sha256: "" };
  });
  const params = { arch, epoch, name: spec.name, tag: spec.tag, release: spec.from.release, tool: `mcc-${VERSION}`, packages: installed };
  const treeResult = { entries: tree.entries, reasons: [...tree.reasons], closureBytes: 0 };
  const bytes = await sbomOf(params, treeResult, { manifest: image.manifest.digest, layer: image.layer.digest, diffId: `sha256:${image.diffId}` }, packages.packages, store);
  const sbom = await store.putBytes(bytes);
  await store.putBytes(EMPTY_JSON);
  const sbomBlob = { digest: `sha256:${sbom.sha256}`, size: sbom.size };
  const artifact = await store.putBytes(artifactManifestBytes(SPDX_MEDIA_TYPE, sbomBlob, `${spec.name}.spdx.json`, image.manifest, epoch));
  return { arch, subject: image.manifest, sbom: sbomBlob, artifact: { digest: `sha256:${artifact.sha256}`, size: artifact.size } };
}
