import type { IToken } from "chevrotain";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import type { SpecAst } from "../types/ast.js";
import { KEYWORDS, lexDsl, Sep } from "./dsl-lexer.js";
import { parseDslTokens } from "./dsl-parser.js";
import { syntaxDiagnostic, tokenRange } from "./dsl-errors.js";
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
  // Not an image block at all (often YAML in a .mcc file): one error says it all.
  const first = lexed.tokens.find((t) => t.tokenType !== Sep);
  if (first !== undefined && first.tokenType !== KEYWORDS.image) {
    const yamlish = /:$/.test(first.image) || /^\s*[A-Za-z_]+:(\s|$)/m.test(source.text);
    return {
      ...base,
      diagnostics: [
        diagnosticAt(source, tokenRange(source, first), "MCC126", { actual: `\`${first.image.slice(0, 30)}\`` }, yamlish ? "this looks like YAML; a YAML spec is named .yml or .yaml" : undefined),
      ],
    };
  }
  const { cst, errors } = parseDslTokens(lexed.tokens);
  const visited = visitDsl(source, cst);
  // After a syntax error, the parser's recovery may read the rest of the line as a statement
  // of its own: one error per line (the first) is the mistake, the others its echoes.
  diagnostics.push(...firstPerLine([...errors.map((e) => syntaxDiagnostic(source, e)), ...visited.diagnostics]));
  const result = { ...base, anchors: visited.anchors };
  if (errors.length > 0 || lexed.errors.length > 0 || visited.fatal) return { ...result, diagnostics };
  const ast: SpecAst = { source, value: visited.value, locations: visited.locations };
  return { ...result, ast, diagnostics };
}

/** One syntax error per line, and one MCC128 per file: the rest are the same mistake echoed. */
function firstPerLine(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const lines = new Set<number>();
  let trailing = false;
  const out: Diagnostic[] = [];
  for (const d of [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col)) {
    if (lines.has(d.line) || (d.code === "MCC128" && trailing)) continue;
    lines.add(d.line);
    trailing ||= d.code === "MCC128";
    out.push(d);
  }
  return out;
}
