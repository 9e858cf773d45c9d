import { diagnosticAt, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import type { Host } from "../host/host.js";
import { parseSpecFile } from "./load-spec.js";
import type { SpecAst } from "../types/ast.js";
import type { Arch } from "../types/spec.js";
import { checkSpecFiles } from "../validate/check-files.js";
import { locate } from "../diagnostics/locate.js";
import { validateSpec } from "../validate/validate-spec.js";
import type { GivenSpec } from "../minify/minify-spec.js";

/** The fields a minify spec may not have, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  from: "the files come from the image, not from a Debian archive",
  packages: "the packages are the ones the image's dpkg database lists",
  boot: "minify writes no bootable outputs",
};

/** Stand-ins for the required fields a minify spec may leave out; never seen past validation. */
const STAND_INS: Readonly<Record<string, unknown>> = { name: "minified", packages: ["image"], executable: "/image-entrypoint" };

export interface LoadedMinifySpec {
  readonly given?: GivenSpec;
  readonly ast?: SpecAst;
  readonly source?: SourceText;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads a `--spec` file for `mcc minify`: the same YAML or .mcc format, parsed and validated
 * by the same code as `mcc compile`'s (schema, meaning, `files` sources beside the spec),
 * with two differences. `name`, `packages` and `executable` may be left out (the image gives
 * them: stand-ins fill them for validation only), and `from`, `packages` and `boot` are
 * refused with MCC604, since an image has no archive to resolve from. The fields the file
 * really writes are returned with the spec, so that only those override the image's config.
 */
export async function loadMinifySpec(host: Host, path: string, defaultArch: Arch): Promise<LoadedMinifySpec> {
  const parsed = await parseSpecFile(host, path);
  if (parsed.ast === undefined || parsed.source === undefined) return parsed;
  const { source, ast } = parsed;
  const value = ast.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    // Not a mapping: the schema says so, as it does for compile.
    const validated = validateSpec(ast, { defaultArch });
    return { source, ast, diagnostics: sortDiagnostics([...parsed.diagnostics, ...validated.diagnostics]) };
  }
  const written = value as Record<string, unknown>;
  const refused: Diagnostic[] = Object.keys(REFUSED)
    .filter((key) => key in written)
    .map((key) => diagnosticAt(source, locate(ast, `/${key}`, "key"), "MCC604", { field: key, reason: REFUSED[key] as string }));
  const completed: Record<string, unknown> = { ...written };
  for (const [key, standIn] of Object.entries(STAND_INS)) if (!(key in written) || key === "packages") completed[key] = standIn;
  delete completed["from"];
  delete completed["boot"];
  const validated = validateSpec({ ...ast, value: completed }, { defaultArch });
  const diagnostics = [...parsed.diagnostics, ...refused, ...validated.diagnostics];
  if (validated.spec === undefined || hasErrors(diagnostics)) return { source, ast, diagnostics: sortDiagnostics(diagnostics) };
  diagnostics.push(...(await checkSpecFiles(validated.spec, ast, path, host)));
  if (hasErrors(diagnostics)) return { source, ast, diagnostics: sortDiagnostics(diagnostics) };
  const output = written["output"];
  const outputPaths = (Array.isArray(output) ? output : output === undefined ? [] : [output]).map((o) => o !== null && typeof o === "object" && "path" in o);
  return { given: { spec: validated.spec, keys: new Set(Object.keys(written)), outputPaths }, source, ast, diagnostics: sortDiagnostics(diagnostics) };
}
