import { parseParagraphs } from "../debian/deb822.js";
import { mergedUsrPath } from "../trace/vroot.js";
import type { ImageFile } from "./read-image.js";

/** A Debian package as the image's dpkg records name it. */
export interface ImagePackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
}

/** Files and bytes under one heading (a package, a directory). */
export interface Group {
  readonly name: string;
  readonly version?: string;
  readonly files: number;
  readonly bytes: number;
}

export interface Summary {
  readonly files: number;
  readonly bytes: number;
  /** By the package each file came from (`(unowned)` for files no dpkg record lists), largest first. */
  readonly packages: readonly Group[];
  /** By directory, two levels deep (`/usr/lib`), largest first. */
  readonly directories: readonly Group[];
  /** Which package each regular file came from. */
  readonly owners: ReadonlyMap<string, string>;
}

/** Package records of an image: `/var/lib/dpkg/status.d/<pkg>` and the files of `<pkg>.md5sums` and `Conffiles`. Pure. */
export function dpkgRecords(texts: ReadonlyMap<string, string>): { packages: ImagePackage[]; owners: Map<string, string> } {
  const packages: ImagePackage[] = [];
  const owners = new Map<string, string>();
  for (const [path, text] of texts) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.endsWith(".md5sums")) {
      const pkg = name.slice(0, -".md5sums".length);
      for (const line of text.split("\n")) if (line.length > 34) owners.set(mergedUsrPath(`/${line.slice(34)}`), pkg);
      continue;
    }
    const stanza = parseParagraphs(text)[0];
    if (stanza === undefined) continue;
    packages.push({ name: stanza.get("package") ?? name, version: stanza.get("version") ?? "", arch: stanza.get("architecture") ?? "" });
    for (const line of (stanza.get("conffiles") ?? "").split("\n")) {
      const conffile = line.trim().split(/\s+/)[0];
      if (conffile !== undefined && conffile.startsWith("/")) owners.set(mergedUsrPath(conffile), stanza.get("package") ?? name);
    }
  }
  return { packages: packages.sort((a, b) => (a.name < b.name ? -1 : 1)), owners };
}

/**
 * Sizes by package and by directory. A file no dpkg record lists takes its package from
 * `knownOwners` (mcc's provenance: `(mcc)`, `(spec)`) when given. Pure.
 */
export function summarize(files: readonly ImageFile[], texts: ReadonlyMap<string, string>, knownOwners: ReadonlyMap<string, string> = new Map()): Summary & { packageList: ImagePackage[] } {
  const { packages, owners } = dpkgRecords(texts);
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const byPackage = new Map<string, { files: number; bytes: number }>();
  const byDirectory = new Map<string, { files: number; bytes: number }>();
  const fileOwners = new Map<string, string>();
  let count = 0;
  let bytes = 0;
  for (const f of files) {
    if (f.kind !== "file") continue;
    count++;
    bytes += f.size;
    const owner = owners.get(f.path) ?? knownOwners.get(f.path) ?? (f.path.startsWith("/var/lib/dpkg/") ? "(dpkg records)" : "(unowned)");
    fileOwners.set(f.path, owner);
    add(byPackage, owner, f.size);
    add(byDirectory, f.path.split("/").slice(0, 3).join("/") || "/", f.size);
  }
  const groups = (m: Map<string, { files: number; bytes: number }>, withVersion: boolean): Group[] =>
    [...m.entries()]
      .map(([name, g]) => ({ name, ...(withVersion && versions.has(name) ? { version: versions.get(name) as string } : {}), ...g }))
      .sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  return { files: count, bytes, packages: groups(byPackage, true), directories: groups(byDirectory, false), owners: fileOwners, packageList: packages };
}

function add(m: Map<string, { files: number; bytes: number }>, key: string, size: number): void {
  const g = m.get(key) ?? { files: 0, bytes: 0 };
  m.set(key, { files: g.files + 1, bytes: g.bytes + size });
}

/** What changed from image A to image B. */
export interface ImageDiff {
  readonly added: readonly ImageFile[];
  readonly removed: readonly ImageFile[];
  /** Same path, other content, kind, mode or link target. */
  readonly changed: readonly { readonly before: ImageFile; readonly after: ImageFile }[];
  readonly packages: {
    readonly added: readonly ImagePackage[];
    readonly removed: readonly ImagePackage[];
    readonly changed: readonly { readonly name: string; readonly from: string; readonly to: string }[];
  };
  readonly bytes: { readonly before: number; readonly after: number };
}

/** Files and packages added, removed and changed between two images. Pure. */
export function diffImages(a: { files: readonly ImageFile[]; texts: ReadonlyMap<string, string> }, b: { files: readonly ImageFile[]; texts: ReadonlyMap<string, string> }): ImageDiff {
  const before = new Map(a.files.map((f) => [f.path, f]));
  const after = new Map(b.files.map((f) => [f.path, f]));
  const same = (x: ImageFile, y: ImageFile) => x.kind === y.kind && x.sha256 === y.sha256 && x.target === y.target && x.mode === y.mode;
  const pa = dpkgRecords(a.texts).packages;
  const pb = dpkgRecords(b.texts).packages;
  const va = new Map(pa.map((p) => [p.name, p]));
  const vb = new Map(pb.map((p) => [p.name, p]));
  const size = (files: readonly ImageFile[]) => files.reduce((n, f) => n + (f.kind === "file" ? f.size : 0), 0);
  return {
    added: b.files.filter((f) => !before.has(f.path)),
    removed: a.files.filter((f) => !after.has(f.path)),
    changed: a.files.flatMap((x) => {
      const y = after.get(x.path);
      return y === undefined || same(x, y) ? [] : [{ before: x, after: y }];
    }),
    packages: {
      added: pb.filter((p) => !va.has(p.name)),
      removed: pa.filter((p) => !vb.has(p.name)),
      changed: pa.flatMap((p) => {
        const q = vb.get(p.name);
        return q === undefined || q.version === p.version ? [] : [{ name: p.name, from: p.version, to: q.version }];
      }),
    },
    bytes: { before: size(a.files), after: size(b.files) },
  };
}
