import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { writeDockerArchive, writeOciArchive, writeOciLayout } from "../../backends/oci.js";
import { writeRootfs } from "../../backends/rootfs.js";
import { buildTree } from "../../build/build-tree.js";
import { explainAll, explainPath } from "../../build/explain.js";
import { defaultCacheRoot } from "../../cache/store.js";
import { diagnosticAt, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import { loadSpec, type LoadedSpec } from "../../pipeline.js";
import { lockSpec } from "../../resolve/lock-spec.js";
import type { Arch, OutputFormat, Spec, SpecOutput } from "../../types/spec.js";
import { defaultOutputPath } from "../../validate/defaults.js";
import { locate } from "../../validate/locate.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatSize } from "./lock.js";
import { reportSourceErrors } from "./source-errors.js";

export interface CompileOptions {
  readonly output?: string;
  readonly format?: string;
  readonly arch?: string;
  readonly frozen?: boolean;
  readonly offline?: boolean;
  readonly allowExpired?: boolean;
  readonly cache?: string;
  readonly explain?: string;
  readonly quiet?: boolean;
}

const AVAILABLE: readonly OutputFormat[] = ["oci", "oci-archive", "docker-archive", "rootfs"];

/** `mcc compile SPEC`: lock, fetch, trace and write the outputs. */
export async function compileCommand(file: string, options: CompileOptions, io: CliIo): Promise<ExitCode> {
  return withBuiltTree(file, options, io, async ({ spec, loaded, built }) => {
    const outputs = outputsOf(spec, options);
    const unavailable = outputs.filter((o) => !AVAILABLE.includes(o.format));
    if (unavailable.length > 0) {
      const ast = loaded.ast!;
      const diagnostics = unavailable.map((o) => diagnosticAt(ast.source, locate(ast, "/output"), "MCC510", { format: o.format }));
      printDiagnostics(io, loaded, diagnostics);
      return EXIT.userError;
    }
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

function printDiagnostics(io: CliIo, loaded: LoadedSpec, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(renderDiagnostic(d, loaded.source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
  io.stderr(renderSummary(diagnostics.length, 1) + "\n");
}

async function withBuiltTree(
  file: string,
  options: CompileOptions,
  io: CliIo,
  then: (ctx: { spec: Spec; loaded: LoadedSpec; built: NonNullable<Awaited<ReturnType<typeof buildTree>>["built"]> }) => Promise<ExitCode>,
): Promise<ExitCode> {
  const loaded = await loadSpec(io.host, file, { defaultArch: io.hostArch });
  if (loaded.spec === undefined || loaded.ast === undefined) {
    printDiagnostics(io, loaded, loaded.diagnostics);
    return EXIT.userError;
  }
  const archs = options.arch === undefined ? loaded.spec.from.archs : [options.arch as Arch];
  const spec: Spec = { ...loaded.spec, from: { ...loaded.spec.from, archs } };
  const ast = loaded.ast;
  const cacheRoot = options.cache ?? defaultCacheRoot(io.env, io.env["HOME"] ?? "/tmp");
  return reportSourceErrors(io, async () => {
    const locked = await lockSpec(io.host, spec, ast, file, {
      cacheRoot,
      update: false,
      frozen: options.frozen === true,
      offline: options.offline === true,
      allowExpired: options.allowExpired === true,
      env: io.env,
    });
    if (locked.status === "failed") {
      printDiagnostics(io, loaded, locked.diagnostics);
      return EXIT.userError;
    }
    const arch = spec.from.archs[0] as string;
    const { built, diagnostics } = await buildTree(io.host, spec, ast, locked.lock, arch, { cacheRoot, offline: options.offline === true, env: io.env });
    if (built === undefined) {
      printDiagnostics(io, loaded, diagnostics);
      return EXIT.userError;
    }
    return then({ spec, loaded, built });
  });
}
