import { createHash } from "node:crypto";
import { isWithin } from "../../paths/absolute.js";
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import type { buildTree } from "../../build/build-tree.js";
import { readSpecFiles } from "../../build/spec-files.js";
import { OutputError, stepCache, stepHandlers, TraceFailure, treeOf, writingOutput, type StepEnv, type TreeResult } from "../../build/steps.js";
import type { RegistryCacheStats } from "../../cache/registry-cache.js";
import { createBlobStore, type BlobStore } from "../../cache/store.js";
import { executePlan, type StepCache } from "../../execute/execute.js";
import { BOOT_FORMATS, buildPlan, renderPlanDot, renderPlanTree } from "../../plan/build-plan.js";
import type { LockedArch, LockFile } from "../../resolve/lock.js";
import { VERSION } from "../../version.js";
import { archiveBases } from "../../source/bases.js";
import { explainAll, explainPath } from "../../build/explain.js";
import { diagnosticAt, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { lockSpec } from "../../resolve/lock-spec.js";
import type { Arch, OutputFormat, Spec, SpecOutput } from "../../types/spec.js";
import { defaultOutputPath } from "../../validate/defaults.js";
import { locate } from "../../validate/locate.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { cacheRootOf, fetchProgress, formatSize, loadOrReport, lockOptionsOf, printDiagnostics, type SourceOptions } from "./common.js";
import { reportSourceErrors } from "./source-errors.js";

export interface CompileOptions extends SourceOptions {
  /** Print events as JSON lines on stdout, for tools. */
  readonly json?: boolean;
  readonly output?: string;
  readonly format?: string;
  readonly arch?: string;
  readonly explain?: string;
  /** A registry repository to read step results from, and one to write them to. */
  readonly cacheFrom?: string;
  readonly cacheTo?: string;
  readonly insecure?: boolean;
  readonly caFile?: string;
}

/** How many packages are downloaded at once, whatever the number of cores. */
const DOWNLOADS = 8;

/** The paths a bootable output's init mounts itself. */
const BOOT_MOUNTS = ["/proc", "/sys", "/dev"];

/** A spec mount where the init mounts /proc, /sys or /dev cannot boot. */
function bootProblems(spec: Spec, outputs: readonly SpecOutput[], ast: Loaded["ast"]): Diagnostic[] {
  const format = outputs.find((o) => BOOT_FORMATS.has(o.format))?.format;
  if (format === undefined) return [];
  return spec.mounts.flatMap((m, i) => {
    const top = BOOT_MOUNTS.find((p) => m.path === p || m.path.startsWith(`${p}/`));
    return top === undefined ? [] : [diagnosticAt(ast.source, locate(ast, `/mounts/${i}/path`), "MCC510", { format, reason: `a mount at ${m.path} would hide the boot's own ${top}, or be hidden by it` })];
  });
}

/** `mcc compile SPEC`: lock, fetch, trace and write the outputs. */
export async function compileCommand(file: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io);
  if (loaded === undefined) return EXIT.userError;
  const withArchs = withArch(loaded.spec, options);
  const outputs = outputsOf(withArchs.spec, options);
  const { spec, buildArchs, listed } = withBoot(withArchs, outputs);
  // Refused before anything is fetched or built.
  const cannotBoot = bootProblems(spec, outputs, loaded.ast);
  if (cannotBoot.length > 0) {
    printDiagnostics(io, loaded, cannotBoot);
    return EXIT.userError;
  }
  const cacheRoot = cacheRootOf(options, io);
  // An output inside the cache could be taken for (or overwrite) cache entries.
  const inCache = outputs.find((o) => isWithin(resolve(o.path), resolve(cacheRoot)));
  if (inCache !== undefined) {
    io.stderr(`mcc: error: the output ${inCache.path} is inside the cache directory ${cacheRoot}; write it elsewhere\n`);
    return EXIT.userError;
  }
  return reportSourceErrors(io, async () => {
    const locked = await lockForBuild(io, loaded, file, options, { spec, listed });
    if (typeof locked === "number") return locked;
    const store = createBlobStore(cacheRoot);
    const cache = await stepCacheOf(options, store, io);
    if (typeof cache === "number") return cache;
    const fileDigests: Record<string, string> = {};
    for (const [path, bytes] of await readSpecFiles(io.host, spec, file)) {
      fileDigests[path] = (await store.putBytes(bytes)).sha256;
    }
    const epoch = sourceDateEpoch(io.env);
    const plan = buildPlan({ spec, archs: archsOf(locked.lock, buildArchs), epoch, outputs, fileDigests, tool: `mcc-${VERSION}` });
    const progress = fetchProgress(io, buildArchs.join("+"), options.quiet === true || options.json === true);
    const env: StepEnv = {
      spec,
      store,
      bases: await archiveBases(io.host, spec, io.env),
      offline: options.offline === true,
      chown: io.isRoot,
      epoch,
      fetchEvents: progress.events,
      files: new Map(Object.entries(fileDigests)),
    };
    for (const output of plan.steps.filter((s) => s.kind === "emit").map((s) => ({ path: String(s.params["path"]) }))) {
      try {
        await writingOutput(output.path, () => mkdir(dirname(resolve(output.path)), { recursive: true }));
      } catch (error) {
        if (!(error instanceof OutputError)) throw error;
        io.stderr(`mcc: error: ${error.message}\n`);
        return EXIT.userError;
      }
    }
    // The outputs, and the trees whose numbers the summary prints.
    const targets = plan.steps.filter((s) => s.kind === "emit" || s.kind === "tree").map((s) => s.id);
    let results: ReadonlyMap<string, unknown>;
    try {
      let ran = 0;
      let reused = 0;
      results = await executePlan(plan, stepHandlers(env), cache, { parallel: availableParallelism(), uncached: new Set(["emit"]), pools: { fetch: DOWNLOADS }, targets }, {
        onStep: (step, how, done, total) => {
          if (how === "ran") ran++;
          else if (how === "cached") reused++;
          if (options.json) {
            io.stdout(JSON.stringify({ event: "step", kind: step.kind, label: step.label, id: step.id, how, done, total }) + "\n");
          } else if (!options.quiet && io.stderrIsTty) {
            io.stderr(`\r\x1b[K[${done}/${total}] ${step.label}${how === "cached" ? " (cached)" : ""}${done === total ? "\n" : ""}`);
          } else if (!options.quiet && how === "ran" && step.kind !== "fetch" && step.kind !== "unpack") {
            io.stderr(`${step.label}\n`);
          }
        },
      });
      if (!options.quiet && !options.json) io.stderr(`${ran} step${ran === 1 ? "" : "s"} ran, ${reused} reused from the cache\n`);
      reportSharedCache(io, options, cache);
    } catch (error) {
      if (error instanceof OutputError) {
        io.stderr(`mcc: error: ${error.message}\n`);
        return EXIT.userError;
      }
      if (!(error instanceof TraceFailure)) throw error;
      const { problemDiagnostic } = await import("../../build/build-tree.js");
      printDiagnostics(io, loaded, error.problems.map((p) => problemDiagnostic(p, loaded.ast)));
      return EXIT.userError;
    } finally {
      progress.finish();
      if ("close" in cache) cache.close();
    }
    const trees = plan.steps.filter((s) => s.kind === "tree").map((s) => ({ arch: String(s.params["arch"]), tree: results.get(s.id) as TreeResult }));
    const summary = ({ tree }: { tree: TreeResult }) => {
      const files = tree.entries.filter((e) => e.kind === "file");
      const bytes = files.reduce((n, e) => n + (e.kind === "file" ? e.size : 0), 0);
      return { files: files.length, bytes, closure: tree.closureBytes };
    };
    const describe = (s: { files: number; bytes: number; closure: number }) =>
      `${s.files} files, ${formatSize(s.bytes)} (the packages hold ${formatSize(s.closure)}: ${((100 * s.bytes) / s.closure).toFixed(1)}% kept)`;
    for (const step of plan.steps.filter((s) => s.kind === "emit")) {
      const written = results.get(step.id) as { path: string; digest?: string; sboms?: string[]; provenance?: string[] };
      const archs = step.params["arch"] === undefined ? trees : trees.filter((t) => t.arch === step.params["arch"]);
      if (options.json) {
        io.stdout(
          JSON.stringify({
            event: "output",
            format: step.params["format"],
            path: written.path,
            digest: written.digest ?? null,
            sboms: written.sboms ?? [],
            provenance: written.provenance ?? [],
            images: archs.map((t) => ({ arch: t.arch, ...summary(t) })),
          }) + "\n",
        );
      } else if (!options.quiet) {
        const head = `${written.path}: ${String(step.params["format"])}${written.digest === undefined ? "" : ` ${written.digest}`}`;
        if (archs.length === 1) io.stdout(`${head}, ${describe(summary(archs[0] as { tree: TreeResult }))}\n`);
        else io.stdout(`${head}\n${archs.map((t) => `  ${t.arch}: ${describe(summary(t))}\n`).join("")}`);
        for (const sbom of written.sboms ?? []) io.stdout(`  SBOM: ${sbom}\n`);
        for (const p of written.provenance ?? []) io.stdout(`  provenance: ${p}\n`);
      }
    }
    const first = trees[0];
    if (options.explain !== undefined) {
      if (first !== undefined) await io.host.writeFileAtomic(options.explain, JSON.stringify(explainAll(treeOf(first.tree)), null, 2) + "\n");
    }
    return EXIT.ok;
  });
}

/** `mcc plan SPEC`: the build plan compile would run, as a tree, JSON or dot. */
export async function planCommand(file: string, options: CompileOptions & { json?: boolean; dot?: boolean }, io: CliIo): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io);
  if (loaded === undefined) return EXIT.userError;
  const { spec, buildArchs, listed } = withBoot(withArch(loaded.spec, options), outputsOf(loaded.spec, options));
  return reportSourceErrors(io, async () => {
    const locked = await lockForBuild(io, loaded, file, { ...options, quiet: true }, { spec, listed });
    if (typeof locked === "number") return locked;
    const fileDigests: Record<string, string> = {};
    for (const [path, bytes] of await readSpecFiles(io.host, spec, file)) fileDigests[path] = createHash("sha256").update(bytes).digest("hex");
    const plan = buildPlan({ spec, archs: archsOf(locked.lock, buildArchs), epoch: sourceDateEpoch(io.env), outputs: outputsOf(spec, options), fileDigests, tool: `mcc-${VERSION}` });
    if (options.json) io.stdout(JSON.stringify(plan, null, 2) + "\n");
    else if (options.dot) io.stdout(renderPlanDot(plan) + "\n");
    else io.stdout(renderPlanTree(plan) + "\n");
    return EXIT.ok;
  });
}

function withArch(original: Spec, options: CompileOptions): { spec: Spec; buildArch: Arch; buildArchs: Arch[]; listed: boolean } {
  // Every architecture of the spec, or the one --arch picks; one the spec does not list is
  // resolved for this run without touching the lock file.
  const listed = options.arch === undefined || original.from.archs.includes(options.arch as Arch);
  const archs = listed ? original.from.archs : [...original.from.archs, options.arch as Arch];
  const buildArchs = options.arch === undefined ? [...original.from.archs] : [options.arch as Arch];
  return { spec: { ...original, from: { ...original.from, archs } }, buildArch: buildArchs[0] as Arch, buildArchs, listed };
}

/**
 * A bootable output of a spec without a `boot` section boots with the defaults: the kernel
 * and bootloaders are resolved for this run, and the lock file is left as it is.
 */
function withBoot<T extends { spec: Spec; listed: boolean }>(target: T, outputs: readonly SpecOutput[]): T {
  if (target.spec.boot !== undefined || !outputs.some((o) => BOOT_FORMATS.has(o.format))) return target;
  return { ...target, spec: { ...target.spec, boot: { cmdline: "", onExit: "poweroff" } }, listed: false };
}

/** The locked packages of each architecture to build. */
function archsOf(lock: LockFile, archs: readonly Arch[]): { arch: string; locked: LockedArch }[] {
  return archs.map((arch) => {
    const locked = lock.archs[arch];
    if (locked === undefined) throw new Error(`the lock has no ${arch} packages`);
    return { arch, locked };
  });
}

/** The lock a build uses (resolving and writing it when needed), or the exit code of a failure. */
async function lockForBuild(
  io: CliIo,
  loaded: Loaded,
  file: string,
  options: CompileOptions,
  target: { spec: Spec; listed: boolean },
): Promise<Extract<Awaited<ReturnType<typeof lockSpec>>, { lock: unknown }> | ExitCode> {
  const locked = await lockSpec(io.host, target.spec, loaded.ast, file, { ...lockOptionsOf({ ...options, update: false }, io), persist: target.listed });
  if (locked.status === "failed") {
    printDiagnostics(io, loaded, locked.diagnostics);
    return EXIT.userError;
  }
  noteLock(io, locked, options);
  return locked;
}

function noteLock(io: CliIo, locked: { status: string; path: string; wasStale: boolean }, options: CompileOptions): void {
  if (locked.wasStale && locked.status === "written") {
    io.stderr(`mcc: note: ${locked.path} did not match the spec (its packages, release, components or architectures changed); resolved again and rewritten\n`);
  } else if (locked.status === "written" && !options.quiet) {
    io.stderr(`mcc: note: wrote ${locked.path}; commit it to pin the package set\n`);
  }
}

/** `mcc why SPEC PATH`: why a file is in the image (or why not). */
export async function whyCommand(file: string, path: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  return withBuiltTree(file, options, io, async ({ built }) => {
    for (const line of explainPath(built.tree, built.root, path)) io.stdout(line + "\n");
    return EXIT.ok;
  });
}

/** SOURCE_DATE_EPOCH, the one clock of a build's outputs (0 when unset). */
function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number(env["SOURCE_DATE_EPOCH"] ?? "0");
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function outputsOf(spec: Spec, options: CompileOptions): SpecOutput[] {
  if (options.output === undefined && options.format === undefined) return [...spec.outputs];
  const format = (options.format ?? spec.outputs[0]?.format ?? "oci") as OutputFormat;
  return [{ format, path: options.output ?? defaultOutputPath(spec.name, format) }];
}

type Loaded = NonNullable<Awaited<ReturnType<typeof loadOrReport>>>;

async function withBuiltTree(
  file: string,
  options: CompileOptions,
  io: CliIo,
  then: (ctx: { spec: Spec; loaded: Loaded; built: NonNullable<Awaited<ReturnType<typeof buildTree>>["built"]> }) => Promise<ExitCode>,
): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io);
  if (loaded === undefined) return EXIT.userError;
  const { spec, buildArch, listed } = withArch(loaded.spec, options);
  const cacheRoot = cacheRootOf(options, io);
  return reportSourceErrors(io, async () => {
    const locked = await lockForBuild(io, loaded, file, options, { spec, listed });
    if (typeof locked === "number") return locked;
    const progress = fetchProgress(io, buildArch, options.quiet === true);
    const { buildTree } = await import("../../build/build-tree.js");
    const { built, diagnostics } = await buildTree(io.host, spec, loaded.ast, locked.lock, buildArch, {
      specPath: file,
      cacheRoot,
      offline: options.offline === true,
      env: io.env,
      events: progress.events,
    });
    progress.finish();
    if (built === undefined) {
      printDiagnostics(io, loaded, diagnostics);
      return EXIT.userError;
    }
    return then({ spec, loaded, built });
  });
}

/** The local step cache, or two tiers with a registry when --cache-from or --cache-to is given. */
async function stepCacheOf(options: CompileOptions, store: BlobStore, io: CliIo): Promise<StepCache | (StepCache & { stats: RegistryCacheStats; close(): void }) | ExitCode> {
  const local = stepCache(store);
  if (options.cacheFrom === undefined && options.cacheTo === undefined) return local;
  // Loaded only when a shared cache is asked for: a plain build never loads the registry client.
  const [{ createRegistryCache }, { blobsOfResult, SHARED_KINDS }, { RegistryError }, { openRepository }] = await Promise.all([
    import("../../cache/registry-cache.js"),
    import("../../build/step-blobs.js"),
    import("../../registry/errors.js"),
    import("./registry-access.js"),
  ]);
  try {
    const flags = { ...(options.insecure ? { insecure: true } : {}), ...(options.caFile === undefined ? {} : { caFile: options.caFile }), ...(options.quiet ? { quiet: true } : {}) };
    const from = options.cacheFrom === undefined ? undefined : await openRepository(options.cacheFrom, flags, io, "--cache-from");
    const to = options.cacheTo === undefined ? undefined : options.cacheTo === options.cacheFrom ? from : await openRepository(options.cacheTo, flags, io, "--cache-to");
    const cache = createRegistryCache({ local, store, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), shared: SHARED_KINDS, blobsOf: blobsOfResult });
    return { ...cache, stats: cache.stats, close: () => [from, to].forEach((r) => r?.client.close()) };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    io.stderr(`mcc: error: ${error.message}\n${error.hint === undefined ? "" : `  hint: ${error.hint}\n`}`);
    return EXIT.usage;
  }
}

/** One line on what the shared cache gave and took, and its failure if it had one. */
function reportSharedCache(io: CliIo, options: CompileOptions, cache: StepCache | { stats: RegistryCacheStats }): void {
  if (!("stats" in cache)) return;
  const s = cache.stats;
  if (options.json) {
    io.stdout(JSON.stringify({ event: "shared-cache", ...s }) + "\n");
    return;
  }
  if (s.problem !== undefined) io.stderr(`mcc: warning: the shared cache was not used after a failure (${s.problem}); the build went on without it\n`);
  if (options.quiet) return;
  const parts = [];
  if (options.cacheFrom !== undefined) parts.push(`${s.hits} step results from ${options.cacheFrom} (${s.blobsFetched} blobs, ${formatSize(s.bytesFetched)})`);
  if (options.cacheTo !== undefined) parts.push(`${s.pushed} written to ${options.cacheTo} (${s.blobsPushed} blobs uploaded, ${s.blobsPresent} already there)`);
  io.stderr(`shared cache: ${parts.join("; ")}\n`);
}
