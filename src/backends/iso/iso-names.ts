import type { TreeNode } from "./file-tree.js";

/** ECMA-119 7.4.1: the d-characters, the only ones level 1 allows in names. */
const D_CHARACTERS = /^[A-Z0-9_]*$/;

/** ECMA-119 6.8.2.1: at most eight levels of directories, the root being the first. */
export const MAX_DIRECTORY_DEPTH = 7;

/**
 * Checks a name against interchange level 1 (ECMA-119 6.8.2.1 and 7.5, 7.6): a directory is
 * 1 to 8 d-characters; a file is 1 to 8 d-characters, then optionally a dot and 1 to 3 more.
 * Level 1 is what every reader (BIOS loaders, firmware, kernels) reads without extensions.
 */
export function checkIsoName(name: string, isDirectory: boolean, path: string): void {
  const fail = (why: string): never => {
    throw new Error(`ISO 9660: ${JSON.stringify(name)} in ${JSON.stringify(path)} is not a level 1 name: ${why}`);
  };
  if (isDirectory) {
    if (name.length < 1 || name.length > 8) fail("a directory name has 1 to 8 characters");
    if (!D_CHARACTERS.test(name)) fail("only A-Z, 0-9 and _ are allowed");
    return;
  }
  const dot = name.indexOf(".");
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? "" : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8) fail("a file name has 1 to 8 characters before the dot");
  if (dot >= 0 && (ext.length < 1 || ext.length > 3)) fail("an extension has 1 to 3 characters");
  if (!D_CHARACTERS.test(base) || !D_CHARACTERS.test(ext)) fail("only A-Z, 0-9, _ and one dot are allowed");
}

/**
 * The file identifier recorded on disc: `NAME.EXT;1`, and `NAME.;1` without an extension
 * (ECMA-119 7.5.1: the first separator is always there). Directories are their bare name.
 */
export function isoIdentifier(node: TreeNode): string {
  if (node.kind === "directory") return node.name;
  return node.name.includes(".") ? `${node.name};1` : `${node.name}.;1`;
}

/**
 * ECMA-119 9.3's order of directory records: by name, then by extension, the shorter one
 * padded with spaces (0x20, below every d-character), then by version (all are 1 here).
 */
export function compareIsoNames(a: TreeNode, b: TreeNode): number {
  const [aBase, aExt] = split(a);
  const [bBase, bExt] = split(b);
  return comparePadded(aBase, bBase) || comparePadded(aExt, bExt);
}

function split(node: TreeNode): [string, string] {
  if (node.kind === "directory") return [node.name, ""];
  const dot = node.name.indexOf(".");
  return dot < 0 ? [node.name, ""] : [node.name.slice(0, dot), node.name.slice(dot + 1)];
}

function comparePadded(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  const x = a.padEnd(length, " ");
  const y = b.padEnd(length, " ");
  return x < y ? -1 : x > y ? 1 : 0;
}
