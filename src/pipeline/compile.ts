/**
 * `mcc compile`, as the stages in order: load, lock and plan (prepare.ts), then run the plan
 * from its outputs down (fetch, unpack, trace, lay out, layer, config, manifest, SBOM,
 * provenance, boot media, emit), then say what was written. Returns data; the CLI renders it
 * and its events.
 */
import { dirname, resolve } from "node:path";
import { treeOf, type DroppedEntry, type TreeResult } from "../assemble/image-tree.js";
import { createBlobStore, type BlobStore } from "../cache/store.js";
import { collectGarbage } from "../collect.js";
import type { ExecuteEvents, StepCache } from "../execute/execute.js";
import type { Host } from "../host/host.js";
import { explainAll } from "../provenance/explain.js";
import { archiveBases } from "../source/bases.js";
import type { FetchEvents } from "../source/fetch-packages.js";
import type { PlanStepOf } from "../plan/build-plan.js";
import { OutputError, stepCache, TraceFailure, type StepEnv } from "../steps/handlers.js";
import { storeSpecFiles } from "../steps/spec-files.js";
import { MissingModules, missingModuleDiagnostics } from "../steps/boot-diagnostics.js";
import { missingPaths, whereShipped } from "./where-shipped.js";
import { importDiagnostics, inertDiagnostics, startupDiagnostics, traceDiagnostics, unmatchedDiagnostics } from "../steps/trace-diagnostics.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import { runOutputs } from "./run-plan.js";
import { prepareBuild, type BuildFailure, type BuildRequest, type PreparedBuild, type PrepareEvents } from "./prepare.js";

export interface CompileRequest extends BuildRequest {
  readonly cacheRoot: string;
  /** The environment: the archive's mirror (MCC_MIRROR) and the host's apt sources. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly offline: boolean;
  /** Set file owners in directory outputs (only root can). */
  readonly chown: boolean;
  /** `--explain FILE`: where to write why each file is in the (first) image. */
  readonly explain?: string;
  /**
   * The step cache over the local one, when results are shared through a registry
   * (`--cache-from`/`--cache-to`); a failure to open it is a usage error.
   */
  readonly sharedCache?: (local: StepCache, store: BlobStore) => Promise<StepCache | BuildFailure>;
}

export interface CompileEvents extends ExecuteEvents, PrepareEvents {
  readonly fetch?: FetchEvents;
}

/** One image of an output: its architecture and what it holds against its packages. */
export interface ImageSummary {
  readonly arch: string;
  readonly files: number;
  readonly bytes: number;
  /** Bytes of every file of the packages it was traced from. */
  readonly closure: number;
  /** What the image could not hold (entries under one of its symlinks), left out. */
  readonly dropped: readonly DroppedEntry[];
  /** What unpacking dropped or changed in its packages (devices, paths out of the root, setuid bits on kept files). */
  readonly extraction: readonly { readonly pkg: string; readonly note: string }[];
}

/** What one output step wrote. */
export interface OutputSummary {
  readonly format: string;
  readonly path: string;
  readonly digest?: string;
  readonly sboms: readonly string[];
  readonly provenance: readonly string[];
  readonly images: readonly ImageSummary[];
}

export type CompileResult =
  | {
      readonly kind: "built";
      readonly outputs: readonly OutputSummary[];
      readonly ran: number;
      readonly reused: number;
      /** What built but is likely not what was meant: a glob that matched nothing, at its line. */
      readonly warnings: readonly Diagnostic[];
      /** The spec's text, for showing the warnings' lines. */
      readonly source?: SourceText;
    }
  | BuildFailure;

export async function compile(host: Host, request: CompileRequest, events: CompileEvents = {}): Promise<CompileResult> {
  const prepared = await prepareBuild(host, request, { boot: true, checkMounts: true, outsideOf: request.cacheRoot, checkPlaces: true }, events);
  if ("kind" in prepared) return prepared;
  const { plan, loaded } = prepared;
  // A lock just resolved leaves the indexes' records behind (20-40 MB of heap); collected now,
  // before the packages stream in, they do not add to the build's peak (10 ms, once).
  if (prepared.lock.status !== "current") await collectGarbage();

  const store = createBlobStore(host, request.cacheRoot);
  await store.sweepTemporaries(host.now());
  const local = stepCache(store);
  const cache = request.sharedCache === undefined ? local : await request.sharedCache(local, store);
  if ("kind" in cache) return cache;
  const env = await stepEnv(host, prepared, store, request, events.fetch);

  // The outputs, and the trees whose numbers the summary gives.
  const treeSteps = plan.steps.filter((s): s is PlanStepOf<"tree"> => s.kind === "tree");
  try {
    let ran = 0;
    let reused = 0;
    const { results, written } = await runOutputs(plan, env, cache, treeSteps.map((s) => s.id), {
      onStep: (step, how, done, total) => {
        if (how === "ran") ran++;
        else if (how === "cached") reused++;
        events.onStep?.(step, how, done, total);
      },
    });
    const trees = treeSteps.map((s) => ({ arch: s.params.arch, tree: results.get(s.id) as TreeResult }));
    const outputs = written.map(({ step, ...w }): OutputSummary => {
      const images = step.params.arch === undefined ? trees : trees.filter((t) => t.arch === step.params.arch);
      return { format: step.params.format, ...w, images: images.map((t) => summarize(t.arch, t.tree)) };
    });
    const first = trees[0];
    if (request.explain !== undefined && first !== undefined) {
      await host.writeFileAtomic(resolve(request.cwd, request.explain), JSON.stringify(explainAll(treeOf(first.tree)), null, 2) + "\n");
    }
    const warnings = [
      ...unmatchedDiagnostics(trees.map((t) => ({ arch: t.arch, unmatched: t.tree.unmatched ?? [] })), loaded.ast),
      ...inertDiagnostics(trees.map((t) => ({ arch: t.arch, inert: t.tree.inert ?? [] })), loaded.ast),
    ];
    // An interpreter that cannot start: the package that ships what it lacks, from the Contents index.
    const startup = trees.map((t) => ({ arch: t.arch, startup: t.tree.startup ?? [] }));
    // And the modules the spec's Python programs import that the image lacks.
    const imports = trees.map((t) => ({ arch: t.arch, missingImports: t.tree.missingImports ?? [] }));
    const unshipped = [
      ...new Set([...startup.flatMap((t) => t.startup.filter((s) => s.excludedBy === undefined).map((s) => s.needs)), ...imports.flatMap((t) => t.missingImports.flatMap((m) => m.candidates))]),
    ];
    const shippedBy = unshipped.length === 0 ? new Map<string, string[]>() : await whereShipped(host, store, prepared.spec, prepared.archs[0] as string, unshipped, request);
    warnings.push(...startupDiagnostics(startup, loaded.ast, shippedBy), ...importDiagnostics(imports, loaded.ast, shippedBy));
    return { kind: "built", outputs, ran, reused, warnings, ...(loaded.source === undefined ? {} : { source: loaded.source }) };
  } catch (error) {
    if (error instanceof OutputError) return { kind: "output", message: error.message };
    if (error instanceof MissingModules) return { kind: "diagnostics", loaded, diagnostics: missingModuleDiagnostics(error, loaded.ast) };
    if (error instanceof TraceFailure) {
      const shippedBy = await whereShipped(host, store, prepared.spec, prepared.archs[0] as string, missingPaths(error.problems), request);
      return { kind: "diagnostics", loaded, diagnostics: traceDiagnostics(error.problems, loaded.ast, shippedBy) };
    }
    throw error;
  }
}

/** What the step handlers share: the store and the archive; the spec's files go into the store. */
export async function stepEnv(
  host: Host,
  prepared: PreparedBuild,
  store: BlobStore,
  request: { env: Readonly<Record<string, string | undefined>>; offline: boolean; chown: boolean; cwd: string; specPath: string },
  fetchEvents: FetchEvents | undefined,
): Promise<StepEnv> {
  // The tree step reads the spec's files from the cache by the digests in its parameters
  // (hashed once, when the plan was made).
  await storeSpecFiles(host, store, prepared.specFiles);
  return {
    host,
    store,
    // Local packages are read from the spec's directory.
    bases: { ...(await archiveBases(host, prepared.spec, request.env)), local: dirname(resolve(request.cwd, request.specPath)) },
    offline: request.offline,
    chown: request.chown,
    cwd: request.cwd,
    ...(fetchEvents === undefined ? {} : { fetchEvents }),
  };
}

function summarize(arch: string, tree: TreeResult): ImageSummary {
  const files = tree.entries.filter((e) => e.kind === "file");
  return { arch, files: files.length, bytes: files.reduce((n, e) => n + (e.kind === "file" ? e.size : 0), 0), closure: tree.closureBytes, dropped: tree.dropped ?? [], extraction: tree.extraction ?? [] };
}
