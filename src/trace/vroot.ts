import { posix } from "node:path";
import { MERGED_DIRECTORIES, mergedUsrPath } from "../debian/merged-usr.js";
import type { ManifestEntry, PackageManifest } from "../extract/unpack.js";

/** A node of the virtual root: a package's entry at its merged-/usr path, and whose it is. */
export type VNode =
  | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly size: number; readonly sha256: string; readonly pkg: string }
  | { readonly kind: "directory"; readonly path: string; readonly mode: number; readonly pkg: string }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string; readonly pkg: string };

/** Where mcc's own entries (merged-/usr links, generated files) say they come from. */
export const MCC_PACKAGE = "(mcc)";
/** Where the spec's own files say they come from. */
export const SPEC_PACKAGE = "(spec)";

/** The spec's own files, links and directories, each file by its content's sha256. */
export interface SpecOverlay {
  readonly files: readonly { readonly path: string; readonly mode: number; readonly sha256: string; readonly size: number }[];
  readonly links?: readonly { readonly path: string; readonly target: string }[];
  readonly dirs?: readonly { readonly path: string }[];
}

export interface Lookup {
  /** The path of the final node, every symlink resolved. */
  readonly path: string;
  readonly node: VNode;
  /** The symlinks passed through on the way, in order (to be kept with the target). */
  readonly links: readonly string[];
}

/**
 * The file tree made of the resolved packages' manifests, never the host's: lookups resolve
 * symlinks inside it (absolute targets from its root), with the merged-/usr links in place so
 * that bookworm's `/lib/...` and trixie's `/usr/lib/...` layouts both resolve.
 */
export class VirtualRoot {
  readonly nodes = new Map<string, VNode>();

  /**
   * The packages' files, then the spec's own over them (a spec file replaces a package's at
   * the same path, as it does in the image), so the spec's programs and libraries are found and
   * traced like any package's.
   */
  constructor(packages: readonly { readonly name: string; readonly manifest: PackageManifest }[], spec: SpecOverlay = { files: [] }) {
    for (const top of MERGED_DIRECTORIES) {
      this.nodes.set(`/${top}`, { kind: "symlink", path: `/${top}`, target: `usr/${top}`, pkg: MCC_PACKAGE });
    }
    for (const { name, manifest } of packages) {
      for (const entry of manifest.entries) this.add(entry, name);
    }
    for (const dir of spec.dirs ?? []) this.add({ kind: "directory", path: dir.path, mode: 0o755 }, SPEC_PACKAGE);
    for (const file of spec.files) this.add({ kind: "file", ...file }, SPEC_PACKAGE);
    for (const link of spec.links ?? []) this.add({ kind: "symlink", path: link.path, target: link.target }, SPEC_PACKAGE);
  }

  private add(entry: ManifestEntry, pkg: string): void {
    const path = mergedUsrPath(entry.path);
    if (MERGED_DIRECTORIES.some((m) => path === `/${m}`)) return; // the merged links stay ours
    const existing = this.nodes.get(path);
    switch (entry.kind) {
      case "directory":
        if (existing === undefined) this.nodes.set(path, { kind: "directory", path, mode: entry.mode, pkg });
        return;
      case "file":
        this.nodes.set(path, { kind: "file", path, mode: entry.mode, size: entry.size, sha256: entry.sha256, pkg });
        return;
      case "symlink":
        this.nodes.set(path, { kind: "symlink", path, target: entry.target, pkg });
        return;
      case "hardlink": {
        // A hard link is the same bytes under another name: kept as a copy of its target.
        const target = this.nodes.get(mergedUsrPath(entry.target));
        if (target?.kind === "file") this.nodes.set(path, { ...target, path, pkg });
        return;
      }
    }
  }

  /** Resolves a path; undefined when it (or a directory on the way) does not exist. */
  lookup(path: string): Lookup | undefined {
    const links: string[] = [];
    let pending = path.split("/").filter(Boolean);
    let current = "";
    for (let hops = 0; pending.length > 0; ) {
      const segment = pending.shift() as string;
      if (segment === ".") continue;
      if (segment === "..") {
        current = current.slice(0, current.lastIndexOf("/"));
        continue;
      }
      const next = `${current}/${segment}`;
      const node = this.nodes.get(next);
      if (node === undefined) {
        // A directory no package lists explicitly still exists if something lies below it.
        if (pending.length > 0 && this.hasChildren(next)) {
          current = next;
          continue;
        }
        return undefined;
      }
      if (node.kind === "symlink") {
        if (++hops > 40) return undefined;
        links.push(next);
        const target = node.target.startsWith("/") ? node.target : posix.join(current || "/", node.target);
        pending = [...target.split("/").filter(Boolean), ...pending];
        current = "";
        continue;
      }
      current = next;
    }
    const final = this.nodes.get(current || "/") ?? (current === "" ? { kind: "directory" as const, path: "/", mode: 0o755, pkg: MCC_PACKAGE } : undefined);
    return final === undefined ? undefined : { path: current || "/", node: final, links };
  }

  private childIndex: Set<string> | undefined;

  private hasChildren(dir: string): boolean {
    if (this.childIndex === undefined) {
      this.childIndex = new Set();
      for (const p of this.nodes.keys()) {
        for (let i = p.lastIndexOf("/"); i > 0; i = p.lastIndexOf("/", i - 1)) this.childIndex.add(p.slice(0, i));
      }
    }
    return this.childIndex.has(dir);
  }

  /** Every file path under a directory (resolved), for rules that keep whole trees. */
  filesUnder(dir: string): string[] {
    const resolved = this.lookup(dir)?.path ?? dir;
    const prefix = resolved === "/" ? "/" : `${resolved}/`;
    return [...this.nodes.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
}
