import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import { parseDslSpec } from "../parse/parse-dsl.js";
import { parseYamlSpec } from "../parse/parse-yaml.js";
import type { SpecAst } from "../types/ast.js";
import { validateSpec } from "../validate/validate-spec.js";
import { attachComments } from "./comments.js";
import { printDsl } from "./print-dsl.js";
import { printYaml } from "./print-yaml.js";

/** The two spellings of a spec. */
export type SpecSyntax = "dsl" | "yaml";

export interface Converted {
  /** Present when the spec could be written in the other syntax without loss. */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * `mcc convert`: a spec from one syntax to the other, through the shared model, so nothing
 * the spec means is lost. Only a spec without errors (syntax, schema, meaning) is converted:
 * a value of the wrong shape has no faithful spelling in the other syntax. Comments are not
 * carried over, except the file's opening comment block (the YAML schema modeline aside).
 * Pure.
 */
export function convertSpec(source: SourceText, from: SpecSyntax, to: SpecSyntax): Converted {
  const parsed = from === "dsl" ? parseDslSpec(source) : parseYamlSpec(source);
  if (parsed.ast === undefined) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const validated = validateSpec(parsed.ast, { defaultArch: "amd64" });
  const diagnostics = sortDiagnostics([...parsed.diagnostics, ...validated.diagnostics]);
  if (hasErrors(diagnostics)) return { diagnostics };
  const value = parsed.ast.value as Record<string, unknown>;
  const header = from === "dsl" ? dslHeader(source) : yamlHeader(source.text);
  const text = to === "dsl" ? printDsl(value, { raw: rawOf(parsed.ast), header }) : printYaml(value, { header });
  return { text, diagnostics };
}

/**
 * `mcc fmt`: a .mcc file in canonical form, its comments kept beside their statements. A
 * file with syntax errors, unknown keywords or repeated settings is refused (printing it
 * would drop what the parser could not place); schema errors do not stop it. Pure.
 */
export function formatDsl(source: SourceText): Converted {
  const parsed = parseDslSpec(source);
  if (parsed.ast === undefined || parsed.diagnostics.length > 0) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const ast = parsed.ast;
  const comments = attachComments(source, parsed.comments, parsed.anchors, ast.locations.get("")?.end ?? source.text.length);
  return { text: printDsl(ast.value as Record<string, unknown>, { raw: rawOf(ast), comments }), diagnostics: [] };
}

function rawOf(ast: SpecAst): (pointer: string) => string | undefined {
  return (pointer) => ast.locations.get(pointer)?.raw;
}

/** The comment lines that open a YAML file, without `#`, the schema modeline and blank leads. */
function yamlHeader(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!/^\s*#/.test(line)) break;
    const body = line.replace(/^\s*#/, "");
    if (/^\s*yaml-language-server:/.test(body)) continue;
    if (lines.length === 0 && body.trim() === "") continue;
    lines.push(body.replace(/\s+$/, ""));
  }
  return lines;
}

/** The comment lines before a .mcc file's `image` line. */
function dslHeader(source: SourceText): string[] {
  const lines: string[] = [];
  for (const line of source.text.split("\n")) {
    if (!/^\s*#/.test(line)) {
      if (line.trim() === "") continue;
      break;
    }
    lines.push(line.replace(/^\s*#/, "").replace(/\s+$/, ""));
  }
  return lines;
}
