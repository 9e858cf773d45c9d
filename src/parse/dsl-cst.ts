import type { CstNode, IToken } from "chevrotain";

/**
 * Reading Chevrotain's concrete syntax tree: children are kept by name (a token type's or a
 * rule's), in order. After error recovery a child may be missing or a token inserted, so every
 * accessor may give undefined and `isUsable` tells real tokens from made-up ones.
 */
export type Node = CstNode | undefined;

export const tokensOf = (node: Node, key: string): IToken[] => (node?.children[key] ?? []) as IToken[];
export const nodesOf = (node: Node, key: string): CstNode[] => (node?.children[key] ?? []) as CstNode[];
export const tokenOf = (node: Node, key: string): IToken | undefined => tokensOf(node, key)[0];
export const nodeOf = (node: Node, key: string): CstNode | undefined => nodesOf(node, key)[0];

/** The keyword token of a statement or field (children named `Kw...`). */
export function keywordIn(node: Node): IToken | undefined {
  for (const [key, children] of Object.entries(node?.children ?? {})) {
    if (key.startsWith("Kw")) return children[0] as IToken | undefined;
  }
  return undefined;
}

export const isUsable = (t: IToken | undefined): t is IToken => t !== undefined && Number.isFinite(t.startOffset) && t.isInsertedInRecovery !== true;
export const endOf = (t: IToken) => (t.endOffset ?? t.startOffset) + 1;

/** Every token under a node, in text order. */
export function collectTokens(node: CstNode | undefined): IToken[] {
  if (node === undefined) return [];
  const out: IToken[] = [];
  for (const children of Object.values(node.children)) {
    for (const child of children) {
      if ("children" in child) out.push(...collectTokens(child));
      else out.push(child);
    }
  }
  return out.sort((a, b) => a.startOffset - b.startOffset);
}
