/**
 * The plan of an image that is already traced (`mcc minify`): its source is the traced tree,
 * kept in the cache by its digest, instead of packages; after it come the same layer, config,
 * manifest, SBOM and output steps as a compiled image's, run by the same handlers. Pure.
 */
import type { ConfigStart } from "../formats/oci-documents.js";
import type { SbomStepParams } from "../sbom/image-sbom.js";
import type { Spec, SpecOutput } from "../types/spec.js";
import { configParamsOf, emitParamsOf, imageInputsOf, SINGLE_PLATFORM_FORMATS, stepCollector, type BuildPlan } from "./build-plan.js";

export interface ImagePlanInputs {
  /** The spec of the image (its name, tag, user, program, config fields, metadata). */
  readonly spec: Spec;
  readonly arch: string;
  /** sha256 of the traced tree (a TreeResult as JSON) in the cache. */
  readonly tree: string;
  /** The image's own Entrypoint/Cmd split, kept in its config. */
  readonly start: ConfigStart;
  readonly epoch: number;
  readonly outputs: readonly SpecOutput[];
  /** What the SBOM lists (when `metadata.sbom`): the image's packages, and their manifests as a blob. */
  readonly packages: SbomStepParams["packages"];
  readonly manifests: string;
  readonly tool: string;
}

export function buildImagePlan(inputs: ImagePlanInputs): BuildPlan {
  const { spec, arch, epoch } = inputs;
  const { steps, add } = stepCollector();
  const tree = add("image-tree", "the image's traced tree", { sha256: inputs.tree }, []);
  const layer = add("layer", "write the layer (tar+gzip)", { epoch }, [tree]);
  const config = add("config", "write the image config", { ...configParamsOf(spec, arch, epoch), start: inputs.start }, [layer]);
  const manifest = add("manifest", "write the image manifest", { arch, epoch, name: spec.name }, [config, layer]);
  const sbomParams = { arch, epoch, name: spec.name, tag: spec.tag, release: spec.from.release, tool: inputs.tool, packages: inputs.packages, manifests: inputs.manifests };
  const sbom = spec.metadata.sbom ? [add("sbom", "write the SBOM (SPDX 2.3)", sbomParams, [tree, manifest])] : [];
  for (const output of inputs.outputs) {
    const single = SINGLE_PLATFORM_FORMATS.has(output.format);
    const from = imageInputsOf(output.format, { tree, config, layers: [layer], manifest });
    add("emit", `write ${output.format} ${output.path}`, emitParamsOf(output.format, output.path, spec, epoch, single ? arch : undefined), [...from, ...sbom]);
  }
  return { archs: [arch], steps };
}
