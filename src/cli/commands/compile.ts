import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { writeDockerArchive, writeOciArchive, writeOciLayout } from "../../backends/oci.js";
import { writeRootfs } from "../../backends/rootfs.js";
import { buildTree } from "../../build/build-tree.js";
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
  readonly output?: string;
  readonly format?: string;
  readonly arch?: string;
  readonly explain?: string;
}

const AVAILABLE: readonly OutputFormat[] = ["oci", "oci-archive", "docker-archive", "rootfs"];

/** `mcc compile SPEC`: lock, fetch, trace and write the outputs. */
export async function compileCommand(file: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  return withBuiltTree(file, options, io, (spec, loaded) => {
    // Refused before anything is fetched or built.
    const unavailable = outputsOf(spec, options).filter((o) => !AVAILABLE.includes(o.format));
    return unavailable.map((o) => diagnosticAt(loaded.ast.source, locate(loaded.ast, "/output"), "MCC510", { format: o.format }));
  }, async ({ spec, built }) => {
    const outputs = outputsOf(spec, options);
    const epoch = sourceDateEpoch(io.env);
    for (const output of outputs) {
      const target = resolve(output.path);
      await mkdir(dirname(target), { recursive: true });
      let digest = "";
      switch (output.format) {
        case "rootfs":
          await writeRootfs(built.tree, built.store, target, { chown: io.isRoot });
          break;
        case "oci":
          digest = ` ${(await writeOciLayout(built.tree, built.store, spec, built.arch, epoch, target)).manifest.digest}`;
          break;
        case "oci-archive":
          digest = ` ${(await writeOciArchive(built.tree, built.store, spec, built.arch, epoch, target)).manifest.digest}`;
          break;
        case "docker-archive":
          await writeDockerArchive(built.tree, built.store, spec, built.arch, epoch, target);
          break;
        default:
          throw new Error(`no writer for ${output.format}`);
      }
      const files = built.tree.entries.filter((e) => e.kind === "file");
      const bytes = files.reduce((n, e) => n + (e.kind === "file" ? e.size : 0), 0);
      if (!options.quiet) {
        io.stdout(`${output.path}: ${output.format}${digest}, ${files.length} files, ${formatSize(bytes)} (the packages hold ${formatSize(built.closureBytes)}: ${((100 * bytes) / built.closureBytes).toFixed(1)}% kept)\n`);
      }
    }
    if (options.explain !== undefined) {
      await io.host.writeFileAtomic(options.explain, JSON.stringify(explainAll(built.tree), null, 2) + "\n");
    }
    return EXIT.ok;
  });
}

/** `mcc why SPEC PATH`: why a file is in the image (or why not). */
export async function whyCommand(file: string, path: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  return withBuiltTree(file, options, io, () => [], async ({ built }) => {
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
  precheck: (spec: Spec, loaded: Loaded) => Diagnostic[],
  then: (ctx: { spec: Spec; loaded: Loaded; built: NonNullable<Awaited<ReturnType<typeof buildTree>>["built"]> }) => Promise<ExitCode>,
): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io);
  if (loaded === undefined) return EXIT.userError;
  // --arch picks one of the spec's architectures; one the spec does not list is resolved for
  // this run without touching the lock file.
  const listed = options.arch === undefined || loaded.spec.from.archs.includes(options.arch as Arch);
  const lockSpecArchs = listed ? loaded.spec.from.archs : [...loaded.spec.from.archs, options.arch as Arch];
  const buildArch = (options.arch ?? loaded.spec.from.archs[0]) as Arch;
  const spec: Spec = { ...loaded.spec, from: { ...loaded.spec.from, archs: lockSpecArchs } };
  const problems = precheck(spec, loaded);
  if (problems.length > 0) {
    printDiagnostics(io, loaded, problems);
    return EXIT.userError;
  }
  const cacheRoot = cacheRootOf(options, io);
  return reportSourceErrors(io, async () => {
    const locked = await lockSpec(io.host, spec, loaded.ast, file, { ...lockOptionsOf({ ...options, update: false }, io), persist: listed });
    if (locked.status === "failed") {
      printDiagnostics(io, loaded, locked.diagnostics);
      return EXIT.userError;
    }
    if (locked.wasStale && locked.status === "written") {
      io.stderr(`mcc: note: ${locked.path} did not match the spec (its packages, release, components or architectures changed); resolved again and rewritten\n`);
    } else if (locked.status === "written" && !options.quiet) {
      io.stderr(`mcc: note: wrote ${locked.path}; commit it to pin the package set\n`);
    }
    const arch = buildArch;
    if (options.arch === undefined && spec.from.archs.length > 1) {
      io.stderr(`mcc: note: building ${arch} only; images for several architectures come in a later version (choose one with --arch)\n`);
    }
    const progress = fetchProgress(io, arch, options.quiet === true);
    const { built, diagnostics } = await buildTree(io.host, spec, loaded.ast, locked.lock, arch, {
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
