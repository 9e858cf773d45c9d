/** A file given to an image writer: an absolute path inside the image and its content. */
export interface TreeInput {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A regular file of a {@link FileTree}. */
export interface TreeFile {
  readonly kind: "file";
  /** The last path component: ASCII letters folded to upper case, or as given (see {@link CaseRule}). */
  readonly name: string;
  /** The whole path, spelled the same way (`/EFI/BOOT/BOOTX64.EFI`). */
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A directory of a {@link FileTree}; its children are in no particular order. */
export interface TreeDirectory {
  readonly kind: "directory";
  readonly name: string;
  readonly path: string;
  /** The root is 0, its children 1. */
  readonly depth: number;
  readonly children: TreeNode[];
}

export type TreeNode = TreeFile | TreeDirectory;

/**
 * Checks one path component; throws an Error naming the rule it breaks. `isDirectory` tells
 * directory names (no extension in ISO 9660) from file names.
 */
export type NameCheck = (name: string, isDirectory: boolean, path: string) => void;

/**
 * How letter case is treated. ISO 9660 level 1 stores upper case only, so ASCII letters are
 * folded to upper case in the names themselves (`"fold"`, the default). FAT with long names
 * keeps the case given but looks names up case-insensitively, so names are kept and only
 * compared through `key` (`{ keep: key }`): two names with the same key in one directory
 * are an error, since either could be the one a reader finds.
 */
export type CaseRule = "fold" | { readonly keep: (name: string) => string };

/**
 * Turns a flat list of files into a directory tree, creating every parent directory. ISO
 * 9660 level 1 names are upper case only, so there ASCII letters are folded to upper case
 * here, once, and two paths that differ only in case are one path (an error). FAT keeps the
 * case (see {@link CaseRule}). Every problem is a bug of the caller (mcc picks these names
 * itself), so it throws.
 */
export function buildFileTree(files: readonly TreeInput[], format: string, check: NameCheck, caseRule: CaseRule = "fold"): TreeDirectory {
  const root: TreeDirectory = { kind: "directory", name: "", path: "/", depth: 0, children: [] };
  const key = caseRule === "fold" ? (path: string) => path : (path: string) => path.split("/").map(caseRule.keep).join("/");
  const directories = new Map<string, TreeDirectory>([["/", root]]);
  /** Every path given so far, by its key, with its spelling. */
  const taken = new Map<string, string>([["/", "/"]]);
  const sameKey = (path: string, given: string) => {
    const other = taken.get(key(path));
    if (other === undefined || other === path) return;
    const where = path === given ? "" : ` (of ${JSON.stringify(given)})`;
    throw new Error(`${format}: ${JSON.stringify(path)}${where} and ${JSON.stringify(other)} differ only in case, and ${format} looks names up regardless of case`);
  };
  for (const file of files) {
    const parts = splitPath(file.path, format, caseRule === "fold");
    let parent = root;
    for (const [i, part] of parts.entries()) {
      const path = `/${parts.slice(0, i + 1).join("/")}`;
      const last = i === parts.length - 1;
      sameKey(path, file.path);
      if (last) {
        if (taken.has(key(path))) throw new Error(`${format}: ${JSON.stringify(file.path)} is given twice (or is also a directory)`);
        check(part, false, file.path);
        taken.set(key(path), path);
        parent.children.push({ kind: "file", name: part, path, bytes: file.bytes });
        continue;
      }
      let dir = directories.get(path);
      if (dir === undefined) {
        if (taken.has(key(path))) throw new Error(`${format}: ${JSON.stringify(path)} is a file and also a directory in ${JSON.stringify(file.path)}`);
        check(part, true, file.path);
        dir = { kind: "directory", name: part, path, depth: parent.depth + 1, children: [] };
        directories.set(path, dir);
        taken.set(key(path), path);
        parent.children.push(dir);
      }
      parent = dir;
    }
  }
  return root;
}

/**
 * Every directory of the tree breadth first, siblings in the order they are in: after
 * {@link sortTree}, the order of ECMA-119's path table (by level, parent, then name).
 */
export function directoriesOf(root: TreeDirectory): TreeDirectory[] {
  const out: TreeDirectory[] = [];
  const queue = [root];
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    out.push(dir);
    for (const child of dir.children) if (child.kind === "directory") queue.push(child);
  }
  return out;
}

/** Sorts every directory's children in place with `compare` (the tree is the writer's own). */
export function sortTree(root: TreeDirectory, compare: (a: TreeNode, b: TreeNode) => number): void {
  root.children.sort(compare);
  for (const child of root.children) if (child.kind === "directory") sortTree(child, compare);
}

function splitPath(path: string, format: string, fold: boolean): string[] {
  if (!path.startsWith("/")) throw new Error(`${format}: ${JSON.stringify(path)} is not an absolute path`);
  const parts = path.slice(1).split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new Error(`${format}: ${JSON.stringify(path)} is not a normal path (empty, "." or ".." component)`);
  }
  return fold ? parts.map((p) => p.replace(/[a-z]/g, (c) => c.toUpperCase())) : parts;
}
