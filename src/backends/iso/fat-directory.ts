import { shortAliases } from "./fat-alias.js";
import { longNameEntries } from "./fat-lfn.js";
import { foldFatName, isShortName, shortName } from "./fat-names.js";
import type { TreeDirectory, TreeNode } from "./file-tree.js";

/** One child of a directory as it is written: its long-name entries, if any, then its short entry. */
export interface FatChild {
  readonly node: TreeNode;
  /** The 11 bytes of the short entry's name: the name itself, or a generated alias. */
  readonly short: Buffer;
  /** The long-name entries before the short entry, 32 bytes each; empty for a short name. */
  readonly long: Buffer;
}

/** The 32-byte entries `children` take, long-name entries included. */
export function entryCount(children: readonly FatChild[]): number {
  return children.reduce((n, c) => n + 1 + c.long.length / 32, 0);
}

/**
 * The order of a directory. Names that are short names (upper case 8.3) come first, by their
 * 11 bytes, which is the order of every image from before long names, so those images stay
 * byte for byte the same; then the long names, by their case-folded UTF-16 code units (a
 * total order, as two names that fold the same are refused).
 */
export function compareFatNames(a: TreeNode, b: TreeNode): number {
  const aShort = isShortName(a.name);
  const bShort = isShortName(b.name);
  if (aShort && bShort) return Buffer.compare(shortName(a.name), shortName(b.name));
  if (aShort !== bShort) return aShort ? -1 : 1;
  const x = foldFatName(a.name);
  const y = foldFatName(b.name);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The entries of a directory whose children are sorted with {@link compareFatNames}: a short
 * name as it is; a long name with its long-name entries and a numeric-tail alias, unique in
 * the directory and numbered in this order.
 */
export function fatChildren(dir: TreeDirectory): FatChild[] {
  const shorts = dir.children.filter((c) => isShortName(c.name));
  const longs = dir.children.filter((c) => !isShortName(c.name));
  const aliases = shortAliases(
    longs.map((c) => c.name),
    shorts.map((c) => shortName(c.name).toString("latin1")),
  );
  const out: FatChild[] = shorts.map((node) => ({ node, short: shortName(node.name), long: Buffer.alloc(0) }));
  for (const [i, node] of longs.entries()) {
    const short = aliases[i] ?? Buffer.alloc(11);
    out.push({ node, short, long: longNameEntries(node.name, short) });
  }
  return out;
}
