/** A file given to an image writer: an absolute path inside the image and its content. */
export interface TreeInput {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A regular file of a {@link FileTree}. */
export interface TreeFile {
  readonly kind: "file";
  /** The last path component, ASCII letters folded to upper case. */
  readonly name: string;
  /** The whole path, folded the same way (`/EFI/BOOT/BOOTX64.EFI`). */
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
 * Turns a flat list of files into a directory tree, creating every parent directory. Both
 * ISO 9660 level 1 and FAT short names are upper case only, so ASCII letters are folded to
 * upper case here, once, and two paths that differ only in case are one path (an error).
 * Every problem is a bug of the caller (mcc picks these names itself), so it throws.
 */
export function buildFileTree(files: readonly TreeInput[], format: string, check: NameCheck): TreeDirectory {
  const root: TreeDirectory = { kind: "directory", name: "", path: "/", depth: 0, children: [] };
  const directories = new Map<string, TreeDirectory>([["/", root]]);
  const taken = new Set<string>(["/"]);
  for (const file of files) {
    const parts = splitPath(file.path, format);
    let parent = root;
    for (const [i, part] of parts.entries()) {
      const path = `/${parts.slice(0, i + 1).join("/")}`;
      const last = i === parts.length - 1;
      if (last) {
        if (taken.has(path)) throw new Error(`${format}: ${JSON.stringify(file.path)} is given twice (or is also a directory)`);
        check(part, false, file.path);
        taken.add(path);
        parent.children.push({ kind: "file", name: part, path, bytes: file.bytes });
        continue;
      }
      let dir = directories.get(path);
      if (dir === undefined) {
        if (taken.has(path)) throw new Error(`${format}: ${JSON.stringify(path)} is a file and also a directory in ${JSON.stringify(file.path)}`);
        check(part, true, file.path);
        dir = { kind: "directory", name: part, path, depth: parent.depth + 1, children: [] };
        directories.set(path, dir);
        taken.add(path);
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

function splitPath(path: string, format: string): string[] {
  if (!path.startsWith("/")) throw new Error(`${format}: ${JSON.stringify(path)} is not an absolute path`);
  const parts = path.slice(1).split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new Error(`${format}: ${JSON.stringify(path)} is not a normal path (empty, "." or ".." component)`);
  }
  return parts.map((p) => p.replace(/[a-z]/g, (c) => c.toUpperCase()));
}
