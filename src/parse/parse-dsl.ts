import type { IToken } from "chevrotain";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../diagnostics/source.js";
import type { SpecAst } from "../types/ast.js";
import { lexDsl, Sep } from "./dsl-lexer.js";
import { parseDslTokens } from "./dsl-parser.js";
import { syntaxDiagnostic } from "./dsl-errors.js";
import { visitDsl, type DslAnchor } from "./dsl-visitor.js";
import type { ParseResult } from "./parse-yaml.js";

/** A parsed .mcc file, with what `mcc fmt` needs to keep its comments. */
export interface DslParseResult extends ParseResult {
  /** The comments, in order (each `#` to the end of its line). */
  readonly comments: readonly IToken[];
  /** Where each statement and list item starts, by the pointer of its node. */
  readonly anchors: readonly DslAnchor[];
}

/**
 * Parses a .mcc spec into the same SpecAst a YAML spec gives, so validation, diagnostics,
 * plan and image are shared. Pure. Syntax errors are recovered from, so one run reports
 * several; after any, no AST is returned (as for YAML), but unknown keywords and repeated
 * settings alone let validation go on, which then reports in the same run.
 */
export function parseDslSpec(source: SourceText): DslParseResult {
  const lexed = lexDsl(source.text);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) =>
    diagnosticAt(source, { start: e.offset, end: e.offset + e.length }, "MCC123", {
      actual: `\`${source.text.slice(e.offset, e.offset + Math.min(e.length, 10))}\``,
      detail: "no value or keyword starts like this",
    }),
  );
  const base = { comments: lexed.comments, anchors: [] as DslAnchor[] };
  if (lexed.tokens.every((t) => t.tokenType === Sep)) {
    return { ...base, diagnostics: [diagnosticAt(source, { start: 0, end: 0 }, "MCC006")] };
  }
  const { cst, errors } = parseDslTokens(lexed.tokens);
  diagnostics.push(...errors.map((e) => syntaxDiagnostic(source, e)));
  const visited = visitDsl(source, cst);
  diagnostics.push(...visited.diagnostics);
  const result = { ...base, anchors: visited.anchors };
  if (errors.length > 0 || lexed.errors.length > 0 || visited.fatal) return { ...result, diagnostics };
  const ast: SpecAst = { source, value: visited.value, locations: visited.locations };
  return { ...result, ast, diagnostics };
}

/** Whether a spec path names a .mcc file: the one rule that picks the front end. */
export function isDslPath(path: string): boolean {
  return /\.mcc$/i.test(path);
}
