import type { IToken } from "chevrotain";
import { positionAt, type SourceText } from "../types/source-text.js";
import type { DslAnchor } from "../parse/dsl-visitor.js";

/**
 * The comments of a .mcc file, attached to the statements and list items they sit beside, so
 * `mcc fmt` can print them in place: a comment on its own line belongs to the statement or
 * item below it, a comment after code on a line to that line's statement. Comments after the
 * last statement stay at the end of the image block (or after it). Pure.
 */
export interface AttachedComments {
  /** Before the statement or item whose node has this pointer ("" is the `image` line). */
  readonly leading: ReadonlyMap<string, readonly string[]>;
  /** At the end of that statement's (first) line. */
  readonly trailing: ReadonlyMap<string, string>;
  /** After the last statement, inside the image block. */
  readonly blockEnd: readonly string[];
  /** After the image block. */
  readonly footer: readonly string[];
  /** Statements written after a blank line (blank lines are kept, several as one). */
  readonly blankBefore: ReadonlySet<string>;
}

export const NO_COMMENTS: AttachedComments = { leading: new Map(), trailing: new Map(), blockEnd: [], footer: [], blankBefore: new Set() };

export function attachComments(source: SourceText, comments: readonly IToken[], anchors: readonly DslAnchor[], blockEnd: number): AttachedComments {
  const sorted = [...anchors].sort((a, b) => a.start - b.start);
  const lineOf = (offset: number) => positionAt(source, offset).line;
  const leading = new Map<string, string[]>();
  const leadingTokens = new Map<string, IToken[]>();
  const trailing = new Map<string, string>();
  const end: string[] = [];
  const footer: string[] = [];
  for (const comment of comments) {
    const text = comment.image.replace(/\s+$/, "");
    const line = lineOf(comment.startOffset);
    const before = sorted.filter((a) => a.start < comment.startOffset && lineOf(a.start) === line);
    const owner = before[before.length - 1];
    if (owner !== undefined && !trailing.has(owner.pointer)) {
      trailing.set(owner.pointer, text);
      continue;
    }
    const next = sorted.find((a) => a.start > comment.startOffset);
    if (next !== undefined) {
      leading.set(next.pointer, [...(leading.get(next.pointer) ?? []), text]);
      leadingTokens.set(next.pointer, [...(leadingTokens.get(next.pointer) ?? []), comment]);
    } else if (comment.startOffset < blockEnd) {
      end.push(text);
    } else {
      footer.push(text);
    }
  }
  // Blank lines are kept (several as one): above a statement or its comments, and between
  // the comments that lead it (an empty string stands for one).
  const blankBefore = new Set<string>();
  const withBlanks = new Map<string, string[]>();
  for (const anchor of sorted) {
    if (withBlanks.has(anchor.pointer)) continue;
    const group = leadingTokens.get(anchor.pointer) ?? [];
    const texts: string[] = [];
    group.forEach((token, i) => {
      const line = lineOf(token.startOffset);
      if (i > 0 && isBlank(source, line - 1)) texts.push("");
      texts.push(token.image.replace(/\s+$/, ""));
    });
    const anchorLine = lineOf(anchor.start);
    if (group.length > 0 && isBlank(source, anchorLine - 1)) texts.push("");
    if (group.length > 0) withBlanks.set(anchor.pointer, texts);
    const top = group[0] === undefined ? anchorLine : lineOf(group[0].startOffset);
    if (top > 1 && isBlank(source, top - 1)) blankBefore.add(anchor.pointer);
  }
  for (const [pointer, texts] of withBlanks) leading.set(pointer, texts);
  return { leading, trailing, blockEnd: end, footer, blankBefore };
}

function isBlank(source: SourceText, line: number): boolean {
  const start = source.lineStarts[line - 1] ?? 0;
  const end = source.lineStarts[line] ?? source.text.length;
  return source.text.slice(start, end).trim() === "";
}

/** Whether any comment belongs to a node below `pointer` (which forces the long form). */
export function hasCommentsBelow(comments: AttachedComments, pointer: string): boolean {
  const prefix = `${pointer}/`;
  for (const key of [...comments.leading.keys(), ...comments.trailing.keys()]) if (key.startsWith(prefix)) return true;
  return false;
}
