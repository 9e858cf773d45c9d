import { existsSync } from "node:fs";
import { diagnosticForFile, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import type { MinifyFlags } from "../../minify/minify-spec.js";
import { parseImageArgument } from "../../minify/source.js";
import { minify, MINIFY_FORMATS } from "../../pipeline/minify.js";
import { loadMinifySpec, type LoadedMinifySpec } from "../../pipeline/minify-spec-file.js";
import { sourceDateEpoch } from "../../pipeline/prepare.js";
import { readSpecFiles } from "../../steps/spec-files.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { cacheRootOf, formatSize } from "./common.js";
import { pullToTemporary } from "./registry.js";
import { reportingSigningErrors, verifyReference } from "./signing.js";
import { formatReference, parseReference } from "../../registry/reference.js";

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
  /** Replace what is at an output path even when it is not an output of that format. */
  readonly force?: boolean;
  /** For an image in a registry: minify it only if a signature by this key covers it (with `lookaside`). */
  readonly verify?: string;
  readonly lookaside?: string;
}

/** `mcc minify IMAGE [-- ARGS]`: keep only what the image's program needs. */
export async function minifyCommand(image: string, trailing: readonly string[], options: MinifyCommandOptions, io: CliIo): Promise<ExitCode> {
  const named = parseImageArgument(image, (p) => existsSync(p));
  if (named.kind === "local") {
    if (options.verify !== undefined) {
      io.stderr(`mcc: error: --verify checks an image in a registry; ${image} is a local image, which no signature covers\n`);
      return EXIT.usage;
    }
    return minifyLocal(named, image, trailing, options, io);
  }
  // A registry's image is pulled into a temporary layout, minified like any other, then removed;
  // with --verify, only the digest that verified is pulled.
  return reportingSigningErrors(io, async () => {
    let reference = named.reference;
    if (options.verify !== undefined) {
      const pinned = await verifyReference(parseReference(reference), { ...options, key: options.verify, ...(options.json ? { quiet: true } : {}) }, io);
      reference = formatReference(pinned);
    }
    const pulled = await pullToTemporary(reference, { ...options, ...(options.json ? { quiet: true } : {}) }, io);
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
  const files = given === undefined || options.spec === undefined ? undefined : await readSpecFiles(io.host, given.spec, options.spec);
  const result = await minify(io.host, {
    source: { path: arg.path, ...(arg.tag === undefined ? {} : { tag: arg.tag }), label: image },
    cacheRoot: cacheRootOf(options, io),
    flags,
    ...(files === undefined ? {} : { files }),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(given === undefined ? {} : { given }),
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.explain === undefined ? {} : { explain: options.explain }),
    epoch: sourceDateEpoch(io.env),
    chown: io.isRoot,
    cwd: io.cwd,
    ...(options.spec === undefined ? {} : { specPath: options.spec }),
    ...(options.force === true ? { force: true } : {}),
  });
  if (result.kind === "diagnostics") return report(result.diagnostics);
  if (result.kind !== "minified") {
    io.stderr(`mcc: error: ${result.message}\n`);
    return EXIT.userError;
  }
  const { minified } = result;
  const written = result.outputs.map((o) => ({ path: o.path, format: o.format, ...(o.digest === undefined ? {} : { digest: o.digest }), ...(o.sboms[0] === undefined ? {} : { sbom: o.sboms[0] }) }));
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
    for (const d of minified.tree.dropped ?? []) io.stderr(`mcc: note: ${d.path} (${d.pkg}) left out: it lies under ${d.under}, a symlink in the image\n`);
  }
  return EXIT.ok;
}
