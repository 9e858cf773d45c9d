import type { ImageTree } from "../assemble/image-tree.js";
import type { ImageFile } from "../inspect/read-image.js";
import type { ImagePackages } from "./image-packages.js";

/** Regular files and their bytes. */
export interface Count {
  readonly files: number;
  readonly bytes: number;
}

/** One package (or `(image)`, `(mcc)`): what the image had of it and what was kept. */
export interface PackageSizes {
  readonly name: string;
  readonly version?: string;
  readonly before: Count;
  readonly after: Count;
}

/** Before and after, in total and by package. */
export interface SizeReport {
  readonly before: Count;
  readonly after: Count;
  /** Packages (and `(image)`, `(mcc)`) with something kept, largest kept first. */
  readonly kept: readonly PackageSizes[];
  /** The Debian packages of the image of which nothing was kept. */
  readonly dropped: readonly string[];
}

/**
 * Sizes of the image and of the microcontainer: regular files only (links and directories
 * weigh nothing), by the package each file came from. Pure.
 */
export function sizeReport(files: readonly ImageFile[], packages: ImagePackages, tree: ImageTree): SizeReport {
  const before = new Map<string, Count>();
  for (const { name, manifest } of packages.packages) {
    for (const e of manifest.entries) if (e.kind === "file") before.set(name, add(before.get(name), e.size));
  }
  const after = new Map<string, Count>();
  for (const e of tree.entries) if (e.kind === "file") after.set(e.pkg, add(after.get(e.pkg), e.size));
  const versions = new Map(packages.database.packages.map((p) => [p.name, p.version]));
  const kept = [...after.entries()]
    .map(([name, count]) => ({ name, ...(versions.has(name) ? { version: versions.get(name) as string } : {}), before: before.get(name) ?? { files: 0, bytes: 0 }, after: count }))
    .sort((a, b) => b.after.bytes - a.after.bytes || (a.name < b.name ? -1 : 1));
  // Only Debian packages: `(image)` is the unowned rest, not a package to name.
  const dropped = [...before.keys()].filter((name) => !after.has(name) && !name.startsWith("(")).sort();
  const total = (counts: Iterable<Count>) => [...counts].reduce((n, c) => ({ files: n.files + c.files, bytes: n.bytes + c.bytes }), { files: 0, bytes: 0 });
  const regular = files.filter((f) => f.kind === "file");
  return { before: { files: regular.length, bytes: regular.reduce((n, f) => n + f.size, 0) }, after: total(after.values()), kept, dropped };
}

function add(count: Count | undefined, size: number): Count {
  return { files: (count?.files ?? 0) + 1, bytes: (count?.bytes ?? 0) + size };
}
