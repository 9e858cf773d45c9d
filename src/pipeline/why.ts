/**
 * `mcc why`, as the stages in order: load, lock and plan the image (no outputs), ask the
 * executor for one architecture's `tree` step and the packages it was traced from (the same
 * cached results compile uses), then explain a path from them. Returns data.
 */
import { treeOf, type ImageTree, type TreeResult } from "../assemble/image-tree.js";
import { createBlobStore, type BlobStore } from "../cache/store.js";
import type { PackageManifest } from "../extract/unpack.js";
import type { Host } from "../host/host.js";
import { explainPath } from "../provenance/explain.js";
import type { PlanStepOf } from "../plan/build-plan.js";
import { stepCache, TraceFailure } from "../steps/handlers.js";
import { traceDiagnostics } from "../steps/trace-diagnostics.js";
import { VirtualRoot } from "../trace/vroot.js";
import { stepEnv, type CompileEvents, type CompileRequest } from "./compile.js";
import { prepareBuild, type BuildFailure, type Loaded } from "./prepare.js";
import { runSteps } from "./run-plan.js";

/** One architecture's image tree, with the packages' files it was traced from. */
export interface TracedImage {
  readonly kind: "traced";
  readonly loaded: Loaded;
  readonly arch: string;
  readonly tree: ImageTree;
  /** Every file of every package of the closure, merged /usr applied. */
  readonly root: VirtualRoot;
  readonly store: BlobStore;
  /** The packages' manifests: most of their files live only in the package's pack, not as blobs (`packageFiles`). */
  readonly manifests: readonly PackageManifest[];
  /** Bytes of every file of the packages. */
  readonly closureBytes: number;
  /** What unpacking the packages dropped or changed (a device, a setuid bit), by package. */
  readonly unpackNotes: readonly { readonly pkg: string; readonly note: string }[];
}

type TraceRequest = Omit<CompileRequest, "output" | "format" | "explain" | "sharedCache" | "chown">;

/** The image tree of the first architecture built (or `--arch`'s), through the plan's own steps. */
export async function traceImage(host: Host, request: TraceRequest, events: CompileEvents = {}): Promise<TracedImage | BuildFailure> {
  const prepared = await prepareBuild(host, request, { boot: false, checkMounts: false, imageOnly: true }, events);
  if ("kind" in prepared) return prepared;
  const { plan, loaded } = prepared;
  const arch = prepared.archs[0] as string;
  const treeStep = plan.steps.find((s): s is PlanStepOf<"tree"> => s.kind === "tree" && s.params.arch === arch);
  if (treeStep === undefined) throw new Error(`the plan has no tree step for ${arch}`);

  const store = createBlobStore(host, request.cacheRoot);
  const env = await stepEnv(host, prepared, store, { ...request, chown: false }, events.fetch);
  let results: ReadonlyMap<string, unknown>;
  try {
    results = await runSteps(plan, env, stepCache(store), [treeStep.id, ...treeStep.inputs], events);
  } catch (error) {
    if (error instanceof TraceFailure) return { kind: "diagnostics", loaded, diagnostics: traceDiagnostics(error.problems, loaded.ast) };
    throw error;
  }
  const packages: { name: string; manifest: PackageManifest }[] = [];
  const { unpackDeb } = await import("../extract/unpack.js");
  for (const id of treeStep.inputs) {
    const unpacked = results.get(id) as { name: string; deb: string };
    packages.push({ name: unpacked.name, manifest: await unpackDeb(store, unpacked.deb) });
  }
  const tree = results.get(treeStep.id) as TreeResult;
  return { kind: "traced", loaded, arch, tree: treeOf(tree), root: new VirtualRoot(packages), store, manifests: packages.map((p) => p.manifest), closureBytes: tree.closureBytes, unpackNotes: tree.extraction ?? [] };
}

/** Why a path is in the image, or why not, as lines. */
export async function why(host: Host, request: TraceRequest, path: string, events: CompileEvents = {}): Promise<{ kind: "explained"; lines: readonly string[] } | BuildFailure> {
  const traced = await traceImage(host, request, events);
  if (traced.kind !== "traced") return traced;
  return { kind: "explained", lines: explainPath(traced.tree, traced.root, path, traced.unpackNotes) };
}
