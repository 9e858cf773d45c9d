import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readSpecFiles } from "../../steps/spec-files.js";
import { explainAll } from "../../provenance/explain.js";
import { OutputError } from "../../steps/handlers.js";
import { createBlobStore } from "../../cache/store.js";
import { diagnosticForFile, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import { emitOutputs, MINIFY_FORMATS } from "../../pipeline/minify-emit.js";
import { minifyImage, type Minified } from "../../pipeline/minify.js";
import type { GivenSpec, MinifyFlags } from "../../minify/minify-spec.js";
import { parseImageArgument } from "../../minify/source.js";
import { loadMinifySpec, type LoadedMinifySpec } from "../../pipeline/minify-spec-file.js";
import { isWithin } from "../../paths/absolute.js";
import type { OutputFormat, SpecOutput } from "../../types/spec.js";
import { defaultOutputPath } from "../../validate/defaults.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { cacheRootOf, formatSize } from "./common.js";
import { pullToTemporary, reportingRegistryErrors } from "./registry.js";

export interface MinifyCommandOptions {
  readonly spec?: string;
  readonly executable?: string;
  readonly args?: string[];
  readonly name?: string;
  readonly tag?: string;
  readonly user?: string;
  readonly output?: string;
  readonly format?: string;
  readonly arch?: string;
  readonly cache?: string;
  readonly explain?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  /** For an image in a registry: plain http to loopback, and extra CAs. */
  readonly insecure?: boolean;
  readonly caFile?: string;
}

/** `mcc minify IMAGE [-- ARGS]`: keep only what the image's program needs. */
export async function minifyCommand(image: string, trailing: readonly string[], options: MinifyCommandOptions, io: CliIo): Promise<ExitCode> {
  const named = parseImageArgument(image, (p) => existsSync(p));
  if (named.kind === "local") return minifyLocal(named, image, trailing, options, io);
  // A registry's image is pulled into a temporary layout, minified like any other, then removed.
  return reportingRegistryErrors(io, async () => {
    const pulled = await pullToTemporary(named.reference, { ...options, ...(options.json ? { quiet: true } : {}) }, io);
    try {
      return await minifyLocal({ kind: "local", path: pulled.dir, ...(pulled.tag === undefined ? {} : { tag: pulled.tag }) }, image, trailing, { ...options, name: options.name ?? lastComponent(named.reference) }, io);
    } finally {
      await pulled.remove();
    }
  });
}

/** The repository's last component, without tag or digest: the output's default name. */
function lastComponent(reference: string): string {
  return (reference.split("/").pop() ?? reference).replace(/[@:].*$/, "");
}

async function minifyLocal(arg: { kind: "local"; path: string; tag?: string }, image: string, trailing: readonly string[], options: MinifyCommandOptions, io: CliIo): Promise<ExitCode> {
  const report = (diagnostics: readonly Diagnostic[], source?: LoadedMinifySpec["source"]) => {
    for (const d of diagnostics) io.stderr(renderDiagnostic(d, source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
    io.stderr(renderSummary(diagnostics.filter((d) => d.severity === "error").length, 1) + "\n");
    return EXIT.userError;
  };
  const loaded = options.spec === undefined ? undefined : await loadMinifySpec(io.host, options.spec, io.hostArch);
  if (loaded !== undefined && loaded.given === undefined) return report(loaded.diagnostics, loaded.source);
  const given = loaded?.given;
  // Refused before the image is read: a bootable output needs a kernel an image does not pin.
  const unsupported = options.format === undefined && options.output === undefined ? given?.spec.outputs.find((o) => given.keys.has("output") && !(MINIFY_FORMATS as readonly string[]).includes(o.format)) : undefined;
  if (unsupported !== undefined) return report([diagnosticForFile(options.spec ?? image, "MCC606", { format: unsupported.format })], loaded?.source);
  const args = trailing.length > 0 ? trailing : options.args;
  const flags: MinifyFlags = {
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.tag === undefined ? {} : { tag: options.tag }),
    ...(options.executable === undefined ? {} : { executable: options.executable }),
    ...(args === undefined ? {} : { args }),
    ...(options.user === undefined ? {} : { user: options.user }),
  };
  const cacheRoot = cacheRootOf(options, io);
  const store = createBlobStore(cacheRoot);
  const files = given === undefined || options.spec === undefined ? new Map<string, Uint8Array>() : await readSpecFiles(io.host, given.spec, options.spec);
  const { minified, diagnostics } = await minifyImage(
    { path: arg.path, ...(arg.tag === undefined ? {} : { tag: arg.tag }), label: image },
    { store, flags, files, ...(options.arch === undefined ? {} : { arch: options.arch }), ...(given === undefined ? {} : { given }) },
  );
  if (minified === undefined) return report(diagnostics);
  const outputs = outputsOf(minified, options, given);
  const inCache = outputs.find((o) => isWithin(resolve(o.path), resolve(cacheRoot)));
  if (inCache !== undefined) {
    io.stderr(`mcc: error: the output ${inCache.path} is inside the cache directory ${cacheRoot}; write it elsewhere\n`);
    return EXIT.userError;
  }
  let written: Awaited<ReturnType<typeof emitOutputs>>;
  try {
    written = await emitOutputs({ tree: minified.tree, spec: minified.spec, start: minified.start, arch: minified.arch, epoch: sourceDateEpoch(io.env), store, chown: io.isRoot, packages: minified.packages }, outputs);
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    io.stderr(`mcc: error: ${error.message}\n`);
    return EXIT.userError;
  }
  if (options.explain !== undefined) await io.host.writeFileAtomic(options.explain, JSON.stringify(explainAll(minified.tree), null, 2) + "\n");
  const r = minified.report;
  if (options.json) {
    io.stdout(
      JSON.stringify({
        image,
        format: minified.format,
        arch: minified.arch,
        executable: minified.spec.executable,
        entrypoint: minified.start.entrypoint,
        cmd: minified.start.cmd,
        packageRecords: minified.packages.database.kind,
        before: r.before,
        after: r.after,
        kept: r.kept,
        dropped: r.dropped,
        outputs: written,
      }) + "\n",
    );
  } else if (!options.quiet) {
    const percent = ((100 * r.after.bytes) / Math.max(r.before.bytes, 1)).toFixed(1);
    io.stdout(`${image} (${minified.format}, ${minified.arch}): ${minified.start.entrypoint.join(" ")}${minified.start.cmd.length > 0 ? ` [${minified.start.cmd.join(" ")}]` : ""}\n`);
    io.stdout(`before: ${r.before.files} files, ${formatSize(r.before.bytes)}\nafter:  ${r.after.files} files, ${formatSize(r.after.bytes)} (${percent}% of the bytes)\n`);
    io.stdout(`kept by package${minified.packages.database.kind === "none" ? " (the image has no dpkg records)" : ""}:\n`);
    for (const p of r.kept) {
      io.stdout(`  ${formatSize(p.after.bytes).padStart(10)} of ${formatSize(p.before.bytes).padEnd(10)} ${String(p.after.files).padStart(5)} of ${String(p.before.files).padEnd(5)} files  ${p.name}${p.version === undefined ? "" : ` ${p.version}`}\n`);
    }
    if (r.dropped.length > 0) io.stdout(`dropped whole: ${r.dropped.length} packages (${r.dropped.join(", ")})\n`);
    for (const w of written) io.stdout(`${w.path}: ${w.format}${w.digest === undefined ? "" : ` ${w.digest}`}\n${w.sbom === undefined ? "" : `  SBOM: ${w.sbom}\n`}`);
  }
  return EXIT.ok;
}

/** `-o`/`--format`, else the spec's `output` (paths it leaves out under the output's name), else `out/<name>` as an OCI layout. */
function outputsOf(minified: Minified, options: MinifyCommandOptions, given: GivenSpec | undefined): SpecOutput[] {
  if (options.output === undefined && options.format === undefined) {
    if (given?.keys.has("output") === true) return minified.spec.outputs.map((o, i) => (given.outputPaths[i] === true ? o : { ...o, path: defaultOutputPath(minified.spec.name, o.format) }));
    return [{ format: "oci", path: defaultOutputPath(minified.spec.name, "oci") }];
  }
  const format = (options.format ?? "oci") as OutputFormat;
  return [{ format, path: options.output ?? defaultOutputPath(minified.spec.name, format) }];
}

/** SOURCE_DATE_EPOCH, the one clock of the outputs (0 when unset). */
function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): number {
  const value = Number(env["SOURCE_DATE_EPOCH"] ?? "0");
  return Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
