import type { IToken } from "chevrotain";
import { positionAt, type SourceText } from "../diagnostics/source.js";
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
}

export const NO_COMMENTS: AttachedComments = { leading: new Map(), trailing: new Map(), blockEnd: [], footer: [] };

export function attachComments(source: SourceText, comments: readonly IToken[], anchors: readonly DslAnchor[], blockEnd: number): AttachedComments {
  const sorted = [...anchors].sort((a, b) => a.start - b.start);
  const lineOf = (offset: number) => positionAt(source, offset).line;
  const leading = new Map<string, string[]>();
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
    } else if (comment.startOffset < blockEnd) {
      end.push(text);
    } else {
      footer.push(text);
    }
  }
  return { leading, trailing, blockEnd: end, footer };
}

/** Whether any comment belongs to a node below `pointer` (which forces the long form). */
export function hasCommentsBelow(comments: AttachedComments, pointer: string): boolean {
  const prefix = `${pointer}/`;
  for (const key of [...comments.leading.keys(), ...comments.trailing.keys()]) if (key.startsWith(prefix)) return true;
  return false;
}
