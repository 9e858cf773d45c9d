/**
 * A spec's text with its line starts, so any offset maps to a 1-based line and column.
 * Columns count UTF-16 code units from the start of the line, as editors and the LSP do.
 */
export interface SourceText {
  readonly file: string;
  readonly text: string;
  readonly lineStarts: readonly number[];
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

export function createSourceText(file: string, text: string): SourceText {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  }
  return { file, text, lineStarts };
}

export function positionAt(source: SourceText, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, source.text.length));
  let low = 0;
  let high = source.lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((source.lineStarts[mid] ?? 0) <= clamped) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, col: clamped - (source.lineStarts[low] ?? 0) + 1 };
}

/** The text of a 1-based line, without its line break. */
export function lineText(source: SourceText, line: number): string {
  const start = source.lineStarts[line - 1];
  if (start === undefined) return "";
  const next = source.lineStarts[line];
  const end = next === undefined ? source.text.length : next - 1;
  return source.text.slice(start, end).replace(/\r$/, "");
}
