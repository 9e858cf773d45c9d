/**
 * The front half every build command shares (compile, plan, why): load the spec, apply the
 * command line's architecture and output, lock, read the spec's files, and make the plan.
 * Returns plain data, or the diagnostics that stop the build; prints nothing.
 */
import { resolve } from "node:path";
import { checkOutputPlace, placesToKeep } from "../backends/output-place.js";
import { diagnosticAt, diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locate } from "../diagnostics/locate.js";
import type { Host } from "../host/host.js";
import { isWithin } from "../paths/absolute.js";
import { BOOT_FORMATS, buildPlan, perArchPath, SINGLE_PLATFORM_FORMATS, type BuildPlan } from "../plan/build-plan.js";
import type { LockedArch, LockFile, LockOptions, LockOutcome } from "../resolve/lock.js";
import { lockSpec } from "../resolve/lock-spec.js";
import { readSpecFiles, type ReadSpecFiles } from "../steps/spec-files.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { Arch, OutputFormat, Spec, SpecOutput } from "../types/spec.js";
import { defaultOutputPath } from "../validate/defaults.js";
import { VERSION } from "../version.js";
import { loadSpec, type LoadedSpec } from "./load-spec.js";
import { specMemoAt } from "./spec-memo.js";

/** What a build command asks for, from its command line. */
export interface BuildRequest {
  readonly specPath: string;
  /** The architecture of a spec that names none: the host's. */
  readonly hostArch: Arch;
  /** `-o` and `--format`: one output instead of the spec's. */
  readonly output?: string;
  readonly format?: string;
  /** `--arch`: build only this architecture (resolved for this run if the spec does not list it). */
  readonly arch?: string;
  /** How the lock is read or made (cache, offline, expired signatures). */
  readonly lock: LockOptions;
  /** SOURCE_DATE_EPOCH: the only clock of the outputs. */
  readonly epoch: number;
  /** The directory relative paths start from. */
  readonly cwd: string;
  /** `--force`: replace what is at an output path even when it is not an output of that format. */
  readonly force?: boolean;
  /**
   * The identity of this build of mcc (src/build-id.ts): when given, the spec's parse and
   * validation are kept in the cache for the next build of the same text (spec-memo.ts).
   */
  readonly buildId?: string;
}

/** A spec that loaded, with its syntax tree for later diagnostics. */
export type Loaded = LoadedSpec & { readonly spec: Spec; readonly ast: SpecAst };

/**
 * Why a build stops before or while it runs: diagnostics on the spec, an output it cannot
 * write (both the user's to fix), or a command line naming something unusable (a shared cache).
 */
export type BuildFailure =
  | { readonly kind: "diagnostics"; readonly loaded: LoadedSpec; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: "output"; readonly message: string }
  | { readonly kind: "usage"; readonly message: string; readonly hint?: string };

/** A prepared build: the spec as this run builds it, its lock and plan, and the spec's files. */
export interface PreparedBuild {
  readonly loaded: Loaded;
  /** The spec with the run's architectures (and default boot section) applied. */
  readonly spec: Spec;
  readonly outputs: readonly SpecOutput[];
  readonly archs: readonly Arch[];
  readonly lock: LockOutcome & { readonly lock: LockFile };
  readonly plan: BuildPlan;
  /** The spec's `files` as read: what the plan holds of them, and where their bytes are. */
  readonly specFiles: ReadSpecFiles;
}

/** What preparing a build tells as it goes: the lock it used or wrote, then the plan made. */
export interface PrepareEvents {
  onLock?(outcome: LockOutcome): void;
  onPrepared?(build: PreparedBuild): void;
}

/** The paths a bootable output's init mounts itself. */
const BOOT_MOUNTS = ["/proc", "/sys", "/dev"];

/**
 * Loads, locks and plans. `boot`: whether a bootable output gets the default boot section when
 * the spec has none (compile and plan; `why` looks at the image alone). `checkMounts`: whether
 * a mount that would hide the boot's own /proc, /sys or /dev is refused (compile).
 * `outsideOf`: a directory no output may be written into (the cache). `imageOnly`: plan the
 * image's steps without any output (`why` reads the tree and writes nothing). `checkPlaces`:
 * refuse, before anything is fetched, an output path that holds something else (compile).
 */
export async function prepareBuild(
  host: Host,
  request: BuildRequest,
  options: { boot: boolean; checkMounts: boolean; outsideOf?: string; imageOnly?: boolean; checkPlaces?: boolean },
  events: PrepareEvents = {},
): Promise<PreparedBuild | BuildFailure> {
  const loaded = await loadSpec(host, request.specPath, { defaultArch: request.hostArch }, specMemoAt(host, request.lock.cacheRoot, request.buildId));
  if (loaded.spec === undefined || loaded.ast === undefined) return { kind: "diagnostics", loaded, diagnostics: loaded.diagnostics };
  const ready = loaded as Loaded;
  const withArchs = withArch(ready.spec, request.arch);
  const outputs = options.imageOnly === true ? [] : outputsOf(withArchs.spec, request);
  const { spec, listed } = options.boot ? withBoot(withArchs, outputs) : withArchs;
  if (options.checkMounts) {
    const cannotBoot = bootProblems(spec, outputs, ready.ast);
    if (cannotBoot.length > 0) return { kind: "diagnostics", loaded, diagnostics: cannotBoot };
  }
  const inCache = options.outsideOf === undefined ? undefined : outputInCache(outputs, options.outsideOf, request.cwd);
  if (inCache !== undefined) return inCache;
  if (options.checkPlaces === true) {
    const places = await outputPlaceProblems(host, outputs, withArchs.buildArchs, ready, request);
    if (places.length > 0) return { kind: "diagnostics", loaded, diagnostics: places };
  }
  const lock = await lockSpec(host, spec, ready.ast, request.specPath, { ...request.lock, update: false, persist: listed });
  if (lock.status === "failed") return { kind: "diagnostics", loaded, diagnostics: lock.diagnostics };
  events.onLock?.(lock);
  const specFiles = await readSpecFiles(host, spec, request.specPath);
  const plan = buildPlan({ spec, archs: archsOf(lock.lock, withArchs.buildArchs), epoch: request.epoch, outputs, specFiles: specFiles.entries, tool: `mcc-${VERSION}` });
  const prepared: PreparedBuild = { loaded: ready, spec, outputs, archs: withArchs.buildArchs, lock, plan, specFiles };
  events.onPrepared?.(prepared);
  return prepared;
}

/**
 * Every architecture of the spec, or the one `--arch` picks; one the spec does not list is
 * resolved for this run without touching the lock file (`listed` false).
 */
function withArch(original: Spec, arch: string | undefined): { spec: Spec; buildArchs: Arch[]; listed: boolean } {
  const listed = arch === undefined || original.from.archs.includes(arch as Arch);
  const archs = listed ? original.from.archs : [...original.from.archs, arch as Arch];
  const buildArchs = arch === undefined ? [...original.from.archs] : [arch as Arch];
  return { spec: { ...original, from: { ...original.from, archs } }, buildArchs, listed };
}

/**
 * A bootable output of a spec without a `boot` section boots with the defaults: the kernel
 * and bootloaders are resolved for this run, and the lock file is left as it is.
 */
function withBoot<T extends { spec: Spec; listed: boolean }>(target: T, outputs: readonly SpecOutput[]): T {
  if (target.spec.boot !== undefined || !outputs.some((o) => BOOT_FORMATS.has(o.format))) return target;
  return { ...target, spec: { ...target.spec, boot: { cmdline: "", onExit: "poweroff", modules: [] } }, listed: false };
}

/** The spec's outputs, or the one `-o`/`--format` name. */
function outputsOf(spec: Spec, request: { output?: string; format?: string }): SpecOutput[] {
  if (request.output === undefined && request.format === undefined) return [...spec.outputs];
  const format = (request.format ?? spec.outputs[0]?.format ?? "oci") as OutputFormat;
  return [{ format, path: request.output ?? defaultOutputPath(spec.name, format) }];
}

/** A spec mount where the init mounts /proc, /sys or /dev cannot boot. */
function bootProblems(spec: Spec, outputs: readonly SpecOutput[], ast: SpecAst): Diagnostic[] {
  const format = outputs.find((o) => BOOT_FORMATS.has(o.format))?.format;
  if (format === undefined) return [];
  return spec.mounts.flatMap((m, i) => {
    const top = BOOT_MOUNTS.find((p) => m.path === p || m.path.startsWith(`${p}/`));
    return top === undefined ? [] : [diagnosticAt(ast.source, locate(ast, `/mounts/${i}/path`), "MCC510", { format, reason: `a mount at ${m.path} would hide the boot's own ${top}, or be hidden by it` })];
  });
}

/** An output inside the cache could be taken for (or overwrite) cache entries. */
export function outputInCache(outputs: readonly SpecOutput[], cacheRoot: string, cwd: string): BuildFailure | undefined {
  const found = outputs.find((o) => isWithin(resolve(cwd, o.path), resolve(cwd, cacheRoot)));
  return found === undefined ? undefined : { kind: "output", message: `the output ${found.path} is inside the cache directory ${cacheRoot}; write it elsewhere` };
}

/**
 * The outputs that would replace something mcc must not (output-place.ts): at the spec's
 * `output` entry, or naming `-o`. Single-platform outputs of several architectures are checked
 * at each architecture's path.
 */
export async function outputPlaceProblems(
  host: Host,
  outputs: readonly SpecOutput[],
  archs: readonly string[],
  loaded: Loaded | { readonly ast?: undefined },
  request: { specPath?: string; cwd: string; force?: boolean; output?: string; format?: string },
  label = request.specPath ?? "",
): Promise<Diagnostic[]> {
  const keep = await placesToKeep(host, request.cwd, request.specPath);
  const fromCommandLine = request.output !== undefined || request.format !== undefined;
  const diagnostics: Diagnostic[] = [];
  for (const [i, output] of outputs.entries()) {
    const paths = archs.length > 1 && SINGLE_PLATFORM_FORMATS.has(output.format) ? archs.map((a) => perArchPath(output.path, a)) : [output.path];
    for (const path of paths) {
      const problem = await checkOutputPlace(host, resolve(request.cwd, path), output.format, keep, request.force === true);
      if (problem === undefined) continue;
      const args: Record<string, string> = problem.code === "MCC520" ? { path, what: problem.what } : { path, relation: problem.relation };
      const ast = loaded.ast;
      const remedy = problem.code === "MCC520" ? "choose another path, remove what is there, or pass --force" : "choose an output path inside or beside it";
      if (fromCommandLine || ast === undefined) {
        diagnostics.push({ ...diagnosticForFile(label, problem.code, args), hint: `${fromCommandLine ? "the path given with -o: " : ""}${remedy}` });
      } else {
        const pointer = Array.isArray((ast.value as { output?: unknown }).output) ? childPointer("/output", i) : "/output";
        diagnostics.push(diagnosticAt(ast.source, locate(ast, pointer), problem.code, args, remedy));
      }
    }
  }
  return diagnostics;
}

/** The locked packages of each architecture to build. */
function archsOf(lock: LockFile, archs: readonly Arch[]): { arch: string; locked: LockedArch }[] {
  return archs.map((arch) => {
    const locked = lock.archs[arch];
    if (locked === undefined) throw new Error(`the lock has no ${arch} packages`);
    return { arch, locked };
  });
}

/** SOURCE_DATE_EPOCH, the one clock of a build's outputs (0 when unset or not a whole number). */
export function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number(env["SOURCE_DATE_EPOCH"] ?? "0");
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
