// The build commands' edge: options in, the composers of src/pipeline/ run, their events and
// results rendered, an exit code out.
import { renderPlanDot, renderPlanTree } from "../../plan/build-plan.js";
import type { RegistryCacheStats } from "../../execute/registry-cache.js";
import type { DroppedEntry } from "../../assemble/image-tree.js";
import type { BlobStore } from "../../cache/store.js";
import type { StepCache } from "../../execute/execute.js";
import type { LockOptions, LockOutcome } from "../../resolve/lock.js";
import { compile, type CompileRequest, type OutputSummary } from "../../pipeline/compile.js";
import { prepareBuild, sourceDateEpoch, type BuildFailure } from "../../pipeline/prepare.js";
import { why } from "../../pipeline/why.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { BUILD_ID } from "../../build-id.js";
import { cacheRootOf, fetchProgress, formatSize, lockOptionsOf, printDiagnostics, type SourceOptions } from "./common.js";
import { reportSourceErrors } from "./source-errors.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostic } from "../../diagnostics/render.js";
import type { SourceText } from "../../types/source-text.js";

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
  /** Replace what is at an output path even when it is not an output of that format. */
  readonly force?: boolean;
}

/** The request every build command makes of the composers, from its options. */
function requestOf(file: string, options: CompileOptions, io: CliIo): Omit<CompileRequest, "chown"> {
  return {
    specPath: file,
    hostArch: io.hostArch,
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.explain === undefined ? {} : { explain: options.explain }),
    lock: lockOptionsOf({ ...options, update: false }, io, resolvingProgress(options, io)),
    cwd: io.cwd,
    ...(options.force === true ? { force: true } : {}),
    ...(BUILD_ID === undefined ? {} : { buildId: BUILD_ID }),
    epoch: sourceDateEpoch(io.env),
    cacheRoot: cacheRootOf(options, io),
    env: io.env,
    offline: options.offline === true,
  };
}

/**
 * What resolving downloads (the signed Release, the Packages and Contents indexes), shown as
 * it happens: one updating line on a terminal, which the build's progress then overwrites, so
 * a cold cache does not leave the terminal blank; JSON events with --json; nothing otherwise.
 */
function resolvingProgress(options: CompileOptions, io: CliIo): LockOptions["events"] | undefined {
  if (options.json === true) return { onFetch: (url, bytes) => io.stdout(JSON.stringify({ event: "index", url, bytes }) + "\n") };
  if (options.quiet === true || !io.stderrIsTty) return undefined;
  return { onFetch: (url, bytes) => io.stderr(`\r\x1b[Kresolving: fetched ${url.replace(/^.*\/dists\//, "dists/")} (${formatSize(bytes)})`) };
}

/** Prints why a build stopped; returns its exit code. */
function reportFailure(io: CliIo, failure: BuildFailure, json = false): ExitCode {
  switch (failure.kind) {
    case "diagnostics":
      if (json) for (const d of failure.diagnostics) io.stdout(JSON.stringify({ event: "diagnostic", ...d }) + "\n");
      else printDiagnostics(io, failure.loaded, failure.diagnostics);
      return EXIT.userError;
    case "output":
      if (json) io.stdout(JSON.stringify({ event: "error", message: failure.message }) + "\n");
      else io.stderr(`mcc: error: ${failure.message}\n`);
      return EXIT.userError;
    case "usage":
      if (json) io.stdout(JSON.stringify({ event: "error", message: failure.message, ...(failure.hint === undefined ? {} : { hint: failure.hint }) }) + "\n");
      else io.stderr(`mcc: error: ${failure.message}\n${failure.hint === undefined ? "" : `  hint: ${failure.hint}\n`}`);
      return EXIT.usage;
  }
}

/** Warnings of a build that succeeded: as JSON events, or as the compiler prints them. */
function reportWarnings(io: CliIo, warnings: readonly Diagnostic[], source: SourceText | undefined, json: boolean): void {
  for (const d of warnings) {
    if (json) io.stdout(JSON.stringify({ event: "diagnostic", ...d }) + "\n");
    else io.stderr(renderDiagnostic(d, source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
  }
}

/** `mcc compile SPEC`: lock, fetch, trace and write the outputs. */
export async function compileCommand(file: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  const quiet = options.quiet === true || options.json === true;
  let archs = "";
  let shared: (StepCache & { stats: RegistryCacheStats; close(): void }) | undefined;
  const progress = fetchProgress(io, () => archs, quiet);
  return reportSourceErrors(io, async () => {
    try {
      const result = await compile(
        io.host,
        {
          ...requestOf(file, options, io),
          chown: io.isRoot,
          ...(options.cacheFrom === undefined && options.cacheTo === undefined
            ? {}
            : {
                sharedCache: async (local, store) => {
                  const opened = await sharedCacheOf(options, local, store, io);
                  if (!("kind" in opened)) shared = opened;
                  return opened;
                },
              }),
        },
        {
          onLock: (outcome) =>
            options.json === true
              ? outcome.status !== "failed" && io.stdout(JSON.stringify({ event: "lock", path: outcome.path, status: outcome.status, ...(outcome.wasStale ? { wasStale: true } : {}) }) + "\n")
              : noteLock(io, outcome, options),
          onPrepared: (build) => (archs = build.archs.join("+")),
          fetch: progress.events,
          onStep: (step, how, done, total) => {
            if (options.json) {
              io.stdout(JSON.stringify({ event: "step", kind: step.kind, label: step.label, id: step.id, how, done, total }) + "\n");
            } else if (!options.quiet && io.stderrIsTty) {
              io.stderr(`\r\x1b[K[${done}/${total}] ${step.label}${how === "cached" ? " (cached)" : ""}${done === total ? "\n" : ""}`);
            } else if (!options.quiet && how === "ran" && step.kind !== "fetch" && step.kind !== "unpack") {
              io.stderr(`${step.label}\n`);
            }
          },
        },
      );
      progress.finish();
      if (result.kind !== "built") return reportFailure(io, result, options.json === true);
      reportWarnings(io, result.warnings, result.source, options.json === true);
      if (!quiet) io.stderr(`${result.ran} step${result.ran === 1 ? "" : "s"} ran, ${result.reused} reused from the cache\n`);
      if (shared !== undefined) reportSharedCache(io, options, shared);
      for (const output of result.outputs) printOutput(io, options, output);
      if (!options.json) reportDropped(io, result.outputs);
      return EXIT.ok;
    } finally {
      shared?.close();
    }
  });
}

function printOutput(io: CliIo, options: CompileOptions, output: OutputSummary): void {
  const describe = (s: { files: number; bytes: number; closure: number }) =>
    `${s.files} files, ${formatSize(s.bytes)} (the packages hold ${formatSize(s.closure)}: ${((100 * s.bytes) / s.closure).toFixed(1)}% kept)`;
  if (options.json) {
    io.stdout(
      JSON.stringify({
        event: "output",
        format: output.format,
        path: output.path,
        digest: output.digest ?? null,
        sboms: output.sboms,
        provenance: output.provenance,
        images: output.images.map(({ arch, files, bytes, closure, dropped, extraction }) => ({ arch, files, bytes, closure, dropped, extraction })),
      }) + "\n",
    );
  } else if (!options.quiet) {
    const head = `${output.path}: ${output.format}${output.digest === undefined ? "" : ` ${output.digest}`}`;
    const [only] = output.images;
    if (output.images.length === 1 && only !== undefined) io.stdout(`${head}, ${describe(only)}\n`);
    else io.stdout(`${head}\n${output.images.map((t) => `  ${t.arch}: ${describe(t)}\n`).join("")}`);
    for (const sbom of output.sboms) io.stdout(`  SBOM: ${sbom}\n`);
    for (const p of output.provenance) io.stdout(`  provenance: ${p}\n`);
  }
}

/** One note per package and architecture that lost entries the image could not hold, and one per package that unpacking changed. */
function reportDropped(io: CliIo, outputs: readonly OutputSummary[]): void {
  const seen = new Set<string>();
  for (const image of outputs.flatMap((o) => o.images)) {
    if (seen.has(image.arch)) continue;
    seen.add(image.arch);
    const byPackage = new Map<string, DroppedEntry[]>();
    for (const d of image.dropped) byPackage.set(d.pkg, [...(byPackage.get(d.pkg) ?? []), d]);
    for (const [pkg, entries] of byPackage) {
      const under = [...new Set(entries.map((e) => e.under))].join(", ");
      io.stderr(`mcc: note: ${pkg} (${image.arch}): ${entries.length} entr${entries.length === 1 ? "y" : "ies"} left out, under ${under}, a symlink in the image (${entries[0]?.path}${entries.length > 1 ? ", ..." : ""}); see mcc why\n`);
    }
    // What unpacking made safe (a device, a path out of the root, a name that is not UTF-8
    // text dropped; a setuid bit cleared): one line per package, the first two said.
    const notesOf = new Map<string, string[]>();
    for (const { pkg, note } of image.extraction) notesOf.set(pkg, [...(notesOf.get(pkg) ?? []), note]);
    for (const [pkg, notes] of notesOf) {
      const said = notes.length === 1 ? notes[0] : `${notes.length} entries dropped or changed as it was unpacked: ${notes.slice(0, 2).join("; ")}${notes.length > 2 ? `; and ${notes.length - 2} more (compile --json lists them)` : ""}`;
      io.stderr(`mcc: note: ${pkg} (${image.arch}): ${said}\n`);
    }
  }
}

/** `mcc plan SPEC`: the build plan compile would run, as a tree, JSON or dot. */
export async function planCommand(file: string, options: CompileOptions & { json?: boolean; dot?: boolean }, io: CliIo): Promise<ExitCode> {
  return reportSourceErrors(io, async () => {
    const prepared = await prepareBuild(io.host, requestOf(file, { ...options, quiet: true }, io), { boot: true, checkMounts: false }, { onLock: (outcome) => noteLock(io, outcome, { quiet: true }) });
    if ("kind" in prepared) return reportFailure(io, prepared);
    const { plan } = prepared;
    if (options.json) io.stdout(JSON.stringify(plan, null, 2) + "\n");
    else if (options.dot) io.stdout(renderPlanDot(plan) + "\n");
    else io.stdout(renderPlanTree(plan) + "\n");
    return EXIT.ok;
  });
}

/** `mcc why SPEC PATH`: why a file is in the image (or why not). */
export async function whyCommand(file: string, path: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  let arch = "";
  const progress = fetchProgress(io, () => arch, options.quiet === true);
  return reportSourceErrors(io, async () => {
    const answer = await why(io.host, requestOf(file, options, io), path, {
      onLock: (outcome) => noteLock(io, outcome, options),
      onPrepared: (build) => (arch = build.archs[0] ?? ""),
      fetch: progress.events,
    });
    progress.finish();
    if (answer.kind !== "explained") return reportFailure(io, answer);
    for (const line of answer.lines) io.stdout(line + "\n");
    return EXIT.ok;
  });
}

function noteLock(io: CliIo, locked: LockOutcome, options: { quiet?: boolean }): void {
  // Resolving is over: its progress line goes (see resolvingProgress).
  if (io.stderrIsTty) io.stderr("\r\x1b[K");
  if (locked.status === "failed") return;
  if (locked.wasStale && locked.status === "written") {
    io.stderr(`mcc: note: ${locked.path} did not match the spec (its packages, release, components or architectures changed); resolved again and rewritten\n`);
  } else if (locked.status === "written" && !options.quiet) {
    io.stderr(`mcc: note: wrote ${locked.path}; commit it to pin the package set\n`);
  }
}

/** Two tiers of the step cache, this machine's over a registry's (--cache-from, --cache-to). */
async function sharedCacheOf(options: CompileOptions, local: StepCache, store: BlobStore, io: CliIo): Promise<(StepCache & { stats: RegistryCacheStats; close(): void }) | BuildFailure> {
  // Loaded only when a shared cache is asked for: a plain build never loads the registry client.
  const [{ createRegistryCache }, { blobsOfResult, SHARED_KINDS }, { RegistryError }, { openRepository }] = await Promise.all([
    import("../../execute/registry-cache.js"),
    import("../../steps/blobs.js"),
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
    return { kind: "usage", message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  }
}

/** One line on what the shared cache gave and took, and its failure if it had one. */
function reportSharedCache(io: CliIo, options: CompileOptions, cache: { stats: RegistryCacheStats }): void {
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
