/**
 * The deb822 control format (Debian Policy 5.1) of Release and Packages files: paragraphs
 * separated by blank lines, `Field: value` lines, continuation lines starting with a space
 * or tab. Field names are matched case-insensitively, as dpkg and apt do.
 */
export type Paragraph = ReadonlyMap<string, string>;

/** Calls `visit` for every paragraph of the text, in order. Field names are lowercased. */
export function forEachParagraph(text: string, visit: (paragraph: Paragraph, start: number) => void): void {
  let fields = new Map<string, string>();
  let current: string | undefined;
  let paragraphStart = -1;
  let pos = 0;
  const flush = () => {
    if (fields.size > 0) visit(fields, paragraphStart);
    fields = new Map();
    current = undefined;
    paragraphStart = -1;
  };
  while (pos <= text.length) {
    let end = text.indexOf("\n", pos);
    if (end === -1) end = text.length;
    let line = text.slice(pos, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const lineStart = pos;
    pos = end + 1;
    if (line.trim() === "") {
      flush();
      if (end === text.length) break;
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      if (current !== undefined) fields.set(current, `${fields.get(current) ?? ""}\n${line.slice(1)}`);
    } else if (first !== 35) {
      // `#` lines are comments in some deb822 files (apt's .sources); never in the archive's.
      const colon = line.indexOf(":");
      if (colon > 0) {
        current = line.slice(0, colon).trim().toLowerCase();
        if (paragraphStart === -1) paragraphStart = lineStart;
        fields.set(current, line.slice(colon + 1).trim());
      }
    }
    if (end === text.length) break;
  }
  flush();
}

/** All paragraphs of a text. */
export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  forEachParagraph(text, (p) => out.push(p));
  return out;
}
