import type { Diagnostic } from "./diagnostic.js";
import { lineText, type SourceText } from "../types/source-text.js";

export interface RenderOptions {
  /** Show the offending source line with the span underlined (the CLI does this on a TTY). */
  readonly excerpt: boolean;
  /** ANSI colours (the CLI uses them on a TTY unless NO_COLOR is set). */
  readonly color: boolean;
}

const style = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
};

/**
 * `file:line:col: error MCC###: message`, the form compilers use, so editors and CI log
 * viewers link it. A hint follows as a `note:` line at the same place.
 */
export function renderDiagnostic(d: Diagnostic, source: SourceText | undefined, options: RenderOptions): string {
  const paint = options.color ? style : { bold: id, red: id, yellow: id, cyan: id, dim: id };
  const where = `${d.file}:${d.line}:${d.col}`;
  const severity = d.severity === "error" ? paint.red("error") : paint.yellow("warning");
  const lines = [`${paint.bold(where)}: ${severity} ${paint.bold(d.code)}: ${d.message}`];
  if (options.excerpt && source !== undefined && source.file === d.file && d.line <= source.lineStarts.length) {
    const text = lineText(source, d.line).replace(/\t/g, " ");
    const gutter = String(d.line);
    const pad = " ".repeat(gutter.length);
    const marker = "^" + "~".repeat(Math.max(0, Math.min(d.length, text.length - d.col + 1) - 1));
    lines.push(`${paint.dim(`${gutter} |`)} ${text}`);
    lines.push(`${paint.dim(`${pad} |`)} ${" ".repeat(d.col - 1)}${paint.red(marker)}`);
  }
  if (d.hint !== undefined) {
    lines.push(options.excerpt ? `${paint.cyan("hint")}: ${d.hint}` : `${where}: note: ${d.hint}`);
  }
  return lines.join("\n");
}

/** The closing summary line, e.g. `2 errors in 1 file`. */
export function renderSummary(errors: number, files: number): string {
  const e = `${errors} error${errors === 1 ? "" : "s"}`;
  return `${e} in ${files} file${files === 1 ? "" : "s"}`;
}

function id(s: string): string {
  return s;
}
