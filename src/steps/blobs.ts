import { EMPTY_DESCRIPTOR } from "../formats/oci-documents.js";
import type { PlanStep, StepKind } from "../plan/build-plan.js";
import type { TreeResult } from "../assemble/image-tree.js";
import type { ManifestResult, ProvenanceResult, SbomResult } from "./results.js";

/**
 * The step kinds a shared cache holds: those whose result and the blobs it names are the
 * whole of their output. `unpack` is not among them: its output is every file of a package,
 * which the cached .deb gives back faster than a registry would; `emit` writes outside the
 * cache.
 */
export const SHARED_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(["fetch", "tree", "layer", "config", "manifest", "sbom", "provenance", "index", "initramfs", "iso", "disk"]);

const hex = (digest: string) => digest.replace(/^sha256:/, "");
const EMPTY_SHA256 = hex(EMPTY_DESCRIPTOR.digest);

/**
 * The blobs (sha256 hex) a step's result refers to and its users read: a .deb, the files of
 * a tree, a layer, an image's config and layer beside its manifest. A result is usable on
 * another machine with exactly these.
 */
export function blobsOfResult(step: PlanStep, result: unknown): readonly string[] {
  return BLOBS[step.kind](result);
}

type Digest = { readonly digest: string };

const BLOBS: Readonly<Record<StepKind, (result: unknown) => readonly string[]>> = {
  "image-tree": (r) => (r as TreeResult).entries.flatMap((e) => (e.kind === "file" && "blob" in e.source ? [e.source.blob] : [])),
  fetch: (r) => [(r as { sha256: string }).sha256],
  unpack: () => [],
  tree: (r) => (r as TreeResult).entries.flatMap((e) => (e.kind === "file" && "blob" in e.source ? [e.source.blob] : [])),
  layer: (r) => [hex((r as Digest).digest)],
  config: (r) => [hex((r as Digest).digest)],
  manifest: (r) => {
    const m = r as ManifestResult;
    return [hex(m.digest), hex(m.config.digest), ...m.layers.map((l) => hex(l.digest))];
  },
  sbom: (r) => {
    const s = r as SbomResult;
    return [hex(s.sbom.digest), hex(s.artifact.digest), EMPTY_SHA256];
  },
  provenance: (r) => {
    const p = r as ProvenanceResult;
    return [hex(p.provenance.digest), hex(p.artifact.digest), EMPTY_SHA256];
  },
  index: (r) => [hex((r as Digest).digest)],
  initramfs: (r) => [hex((r as Digest).digest)],
  iso: (r) => [hex((r as Digest).digest)],
  disk: (r) => [hex((r as Digest).digest)],
  emit: () => [],
};
