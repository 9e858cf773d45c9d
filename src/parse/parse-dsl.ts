import type { IToken } from "chevrotain";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceText } from "../types/source-text.js";
import type { SpecAst } from "../types/ast.js";
import { KEYWORDS, LBrace, LBracket, lexDsl, RBrace, RBracket, Sep } from "./dsl-lexer.js";
import { parseDslTokens } from "./dsl-parser.js";
import { describeToken, syntaxDiagnostic, tokenRange } from "./dsl-errors.js";
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
  // Bounded before the parser sees it (its recursion would overflow the stack): nesting deeper
  // than any spec needs, and what follows the image block (a second image, thousands of them).
  const bounded = boundTokens(source, lexed.tokens);
  if (bounded.fatal !== undefined) return { ...base, diagnostics: [...diagnostics, bounded.fatal] };
  if (bounded.trailing !== undefined) diagnostics.push(bounded.trailing);
  const { cst, errors } = parseDslTokens(bounded.tokens);
  const visited = visitDsl(source, cst);
  // After a syntax error, the parser's recovery may read the rest of the line as a statement
  // of its own: one error per line (the first) is the mistake, the others its echoes.
  diagnostics.push(...firstPerLine([...errors.map((e) => syntaxDiagnostic(source, e)), ...visited.diagnostics]));
  const result = { ...base, anchors: visited.anchors };
  if (errors.length > 0 || lexed.errors.length > 0 || visited.fatal || bounded.trailing !== undefined) return { ...result, diagnostics };
  const ast: SpecAst = { source, value: visited.value, locations: visited.locations };
  return { ...result, ast, diagnostics };
}

/** How deep `{` blocks and `[` lists may nest: a spec uses three levels; this is far beyond any. */
export const MAX_DSL_DEPTH = 64;

/**
 * The tokens up to the end of the first top-level block, with MCC128 for the first token after
 * it; or MCC129 at the bracket that nests deeper than MAX_DSL_DEPTH.
 */
function boundTokens(source: SourceText, tokens: readonly IToken[]): { tokens: IToken[]; trailing?: Diagnostic; fatal?: Diagnostic } {
  let depth = 0;
  for (const [i, token] of tokens.entries()) {
    if (token.tokenType === LBrace || token.tokenType === LBracket) {
      if (++depth > MAX_DSL_DEPTH) return { tokens: [], fatal: diagnosticAt(source, tokenRange(source, token), "MCC129", { limit: MAX_DSL_DEPTH }) };
    } else if (token.tokenType === RBrace || token.tokenType === RBracket) {
      depth--;
      if (depth === 0 && token.tokenType === RBrace) {
        const extra = tokens.slice(i + 1).find((t) => t.tokenType !== Sep);
        if (extra === undefined) return { tokens: [...tokens] };
        return { tokens: tokens.slice(0, i + 1), trailing: diagnosticAt(source, tokenRange(source, extra), "MCC128", { actual: describeToken(extra) }) };
      }
    }
  }
  return { tokens: [...tokens] };
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
