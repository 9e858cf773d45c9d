/**
 * The whole of mcc, stage by stage. Each stage is one function from plain data to plain
 * data; only the edges (reading the spec, checking its files) touch the world, through a Host.
 *
 *   read -> decode -> parse (YAML, or the DSL for .mcc) -> validate -> check files
 *   -> resolve -> plan -> execute -> backends              (later stages add to it)
 */
import { diagnosticForFile, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import { HostError, type Host } from "../host/host.js";
import { decodeSpecBytes, MAX_SPEC_BYTES, tooLarge } from "../parse/decode.js";
import { isDslPath } from "../parse/spec-syntax.js";
import type { SpecAst } from "../types/ast.js";
import type { Spec } from "../types/spec.js";
import { checkSpecFiles } from "../validate/check-files.js";
import type { NormalizeOptions } from "../validate/normalize.js";
import { memoKey, readMemo, writeMemo, type SpecMemo } from "./spec-memo.js";

export interface LoadedSpec {
  /** Present when the spec has no error. */
  readonly spec?: Spec;
  /** The parsed spec with the location of every node, for later stages' diagnostics. */
  readonly ast?: SpecAst;
  /** The text, when it could be read, so diagnostics can show the offending line. */
  readonly source?: SourceText;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads, parses and validates one spec file; every problem found comes back as a diagnostic.
 * With a memo, a text this build of mcc parsed and validated before is not parsed again
 * (spec-memo.ts); its files are checked all the same.
 */
export async function loadSpec(host: Host, path: string, options: NormalizeOptions, memo?: SpecMemo): Promise<LoadedSpec> {
  const read = await readSpecSource(host, path);
  if (read.source === undefined || read.bytes === undefined) return { diagnostics: read.diagnostics };
  const source = read.source;
  const memoized = memo === undefined ? undefined : { memo, key: memoKey(memo, path, options, read.bytes) };
  const known = memoized === undefined ? undefined : await readMemo(memoized.memo, memoized.key, source);

  let ast: SpecAst;
  let spec: Spec;
  const diagnostics: Diagnostic[] = [];
  if (known !== undefined) {
    ({ ast, spec } = known);
    diagnostics.push(...known.diagnostics);
  } else {
    const parsed = await parseSource(path, source);
    if (parsed.ast === undefined) return { source, diagnostics: sortDiagnostics(parsed.diagnostics) };
    ast = parsed.ast;
    const { validateSpec } = await import("../validate/validate-spec.js");
    const validated = validateSpec(ast, options);
    diagnostics.push(...parsed.diagnostics, ...validated.diagnostics);
    if (validated.spec === undefined || hasErrors(diagnostics)) return { source, ast, diagnostics: sortDiagnostics(diagnostics) };
    spec = validated.spec;
    if (memoized !== undefined) await writeMemo(memoized.memo, memoized.key, ast, spec, diagnostics);
  }

  diagnostics.push(...(await checkSpecFiles(spec, ast, path, host)));
  if (hasErrors(diagnostics)) return { source, ast, diagnostics: sortDiagnostics(diagnostics) };
  return { spec, source, ast, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Reads, decodes and parses a spec file, without validating it: its text and SpecAst, or why
 * they cannot be had.
 */
export async function parseSpecFile(host: Host, path: string): Promise<{ readonly source?: SourceText; readonly ast?: SpecAst; readonly diagnostics: readonly Diagnostic[] }> {
  const read = await readSpecSource(host, path);
  if (read.source === undefined) return { diagnostics: read.diagnostics };
  const source = read.source;
  const parsed = await parseSource(path, source);
  if (parsed.ast === undefined) return { source, diagnostics: sortDiagnostics(parsed.diagnostics) };
  return { source, ast: parsed.ast, diagnostics: parsed.diagnostics };
}

/**
 * The one place that picks the front end: both give the same SpecAst. Each is loaded when a
 * spec of its kind is parsed (Chevrotain's import is slow, yaml's is 260 KB; a spec found in the
 * memo loads neither).
 */
async function parseSource(path: string, source: SourceText): Promise<{ readonly ast?: SpecAst; readonly diagnostics: readonly Diagnostic[] }> {
  return isDslPath(path) ? (await import("../parse/parse-dsl.js")).parseDslSpec(source) : (await import("../parse/parse-yaml.js")).parseYamlSpec(source);
}

/** Reads and decodes a spec file: its text and the bytes it was decoded from, or why they cannot be had. */
export async function readSpecSource(host: Host, path: string): Promise<{ readonly source?: SourceText; readonly bytes?: Uint8Array; readonly diagnostics: readonly Diagnostic[] }> {
  const bytes = await readSpecBytes(host, path);
  if (!(bytes instanceof Uint8Array)) return { diagnostics: [bytes] };
  const decoded = decodeSpecBytes(path, bytes);
  return decoded.source === undefined ? decoded : { ...decoded, bytes };
}

async function readSpecBytes(host: Host, path: string): Promise<Uint8Array | Diagnostic> {
  try {
    const stat = await host.stat(path);
    if (stat === undefined) return diagnosticForFile(path, "MCC001", { path, reason: "no such file" });
    if (stat.kind === "directory") return diagnosticForFile(path, "MCC002", { path });
    if (stat.kind !== "file") return diagnosticForFile(path, "MCC001", { path, reason: "not a regular file" });
    // Refuse before reading: a wrong 20 MB file should cost nothing.
    if (stat.size > MAX_SPEC_BYTES) return tooLarge(path, stat.size);
    return await host.readFile(path);
  } catch (error) {
    if (error instanceof HostError) return diagnosticForFile(path, "MCC001", { path, reason: error.reason });
    throw error;
  }
}
