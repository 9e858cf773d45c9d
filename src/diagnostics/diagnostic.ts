import { formatMessage, type DiagnosticCode } from "./codes.js";
import { positionAt, type SourceText } from "../types/source-text.js";

export type Severity = "error" | "warning";

/**
 * A user's mistake, as data. Every stage reports these; the CLI prints them. Lines and
 * columns are 1-based; `length` is how many characters of the line the problem spans.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly length: number;
  readonly hint?: string;
}

/** A half-open range of offsets into a source text. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export type DiagnosticArgs = Readonly<Record<string, string | number>>;

/** Builds a diagnostic at a range of a source text; the range is clipped to its first line. */
export function diagnosticAt(
  source: SourceText,
  range: Range,
  code: DiagnosticCode,
  args: DiagnosticArgs = {},
  hint?: string,
): Diagnostic {
  const start = positionAt(source, range.start);
  const end = positionAt(source, Math.max(range.start, range.end));
  const lineEnd = source.lineStarts[start.line] ?? source.text.length + 1;
  const length = end.line === start.line ? end.col - start.col : lineEnd - 1 - range.start;
  return {
    code,
    severity: "error",
    message: formatMessage(code, args),
    file: source.file,
    line: start.line,
    col: start.col,
    length: Math.max(0, length),
    ...(hint === undefined ? {} : { hint }),
  };
}

/** A diagnostic about a whole file (it could not be read, or is not text). */
export function diagnosticForFile(file: string, code: DiagnosticCode, args: DiagnosticArgs = {}): Diagnostic {
  return { code, severity: "error", message: formatMessage(code, args), file, line: 1, col: 1, length: 0 };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by place, then code, and drops exact repeats. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.code}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort(
    (a, b) =>
      compare(a.file, b.file) || a.line - b.line || a.col - b.col || compare(a.code, b.code) || compare(a.message, b.message),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
