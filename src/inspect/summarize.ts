import { ownerOf, parseDpkgDatabase, type DpkgDatabase } from "../debian/dpkg-database.js";
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
  /** Which dpkg records the image has: a full system's `status`, distroless `status.d`, or none. */
  readonly records: DpkgDatabase["kind"];
  /** The installed packages the records name, by name (some may own no file). */
  readonly packageList: readonly ImagePackage[];
  /** By the package each file came from (`(unowned)` for files no dpkg record lists), largest first. */
  readonly packages: readonly Group[];
  /** By directory, two levels deep (`/usr/lib`), largest first. */
  readonly directories: readonly Group[];
  /** Which package each regular file and link came from (see `ownerName`). */
  readonly owners: ReadonlyMap<string, string>;
}

/** The heading of a file or link no dpkg record and no provenance names. */
export const UNOWNED = "(unowned)";

/**
 * Who a file or link belongs to: the package whose dpkg record lists it (through merged /usr),
 * else what `knownOwners` says (mcc's provenance: `(mcc)`, `(spec)`), else `(dpkg records)`
 * for the records themselves, else `(unowned)`. Pure.
 */
export function ownerName(path: string, database: DpkgDatabase, knownOwners: ReadonlyMap<string, string>): string {
  return ownerOf(database, path)?.pkg ?? knownOwners.get(path) ?? (path.startsWith("/var/lib/dpkg/") ? "(dpkg records)" : UNOWNED);
}

/**
 * Sizes by package and by directory, each file under its `ownerName`, the packages read from
 * the image's dpkg database (a full system's status and info lists, or distroless status.d).
 * Pure.
 */
export function summarize(files: readonly ImageFile[], texts: ReadonlyMap<string, string>, knownOwners: ReadonlyMap<string, string> = new Map()): Summary {
  const database = parseDpkgDatabase(texts);
  const packages: ImagePackage[] = database.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch }));
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const byPackage = new Map<string, { files: number; bytes: number }>();
  const byDirectory = new Map<string, { files: number; bytes: number }>();
  const fileOwners = new Map<string, string>();
  let count = 0;
  let bytes = 0;
  for (const f of files) {
    if (f.kind === "directory") continue;
    const owner = ownerName(f.path, database, knownOwners);
    fileOwners.set(f.path, owner);
    if (f.kind !== "file") continue;
    count++;
    bytes += f.size;
    add(byPackage, owner, f.size);
    add(byDirectory, f.path.split("/").slice(0, 3).join("/") || "/", f.size);
  }
  const groups = (m: Map<string, { files: number; bytes: number }>, withVersion: boolean): Group[] =>
    [...m.entries()]
      .map(([name, g]) => ({ name, ...(withVersion && versions.has(name) ? { version: versions.get(name) as string } : {}), ...g }))
      .sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
  return { files: count, bytes, records: database.kind, packages: groups(byPackage, true), directories: groups(byDirectory, false), owners: fileOwners, packageList: packages };
}

function add(m: Map<string, { files: number; bytes: number }>, key: string, size: number): void {
  const g = m.get(key) ?? { files: 0, bytes: 0 };
  m.set(key, { files: g.files + 1, bytes: g.bytes + size });
}
