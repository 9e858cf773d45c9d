import type { ImageFile } from "./read-image.js";
import { summarize, type ImagePackage, type Summary } from "./summarize.js";

/** Regular files and their bytes. */
export interface Tally {
  readonly files: number;
  readonly bytes: number;
}

/** One side of a diff: an image's files and dpkg records, and the owners its provenance names. */
export interface DiffSide {
  readonly files: readonly ImageFile[];
  readonly texts: ReadonlyMap<string, string>;
  readonly knownOwners?: ReadonlyMap<string, string>;
}

/** A file or link added or removed, with its owner in the image that has it (`ownerName`). */
export type DiffEntry = ImageFile & { readonly package?: string };

/** A package only one image has, with its files and bytes there. */
export type PackageTally = ImagePackage & Tally;

/** A package both images have: what it holds in each (a minified image keeps part of it). */
export interface KeptPackage {
  readonly name: string;
  readonly version: string;
  readonly before: Tally;
  readonly after: Tally;
}

/** What changed from image A to image B. */
export interface ImageDiff {
  readonly added: readonly DiffEntry[];
  readonly removed: readonly DiffEntry[];
  /** Same path, other content, kind, mode or link target (owner as in B). */
  readonly changed: readonly { readonly before: ImageFile; readonly after: ImageFile; readonly package?: string }[];
  readonly packages: {
    /** Largest first. */
    readonly added: readonly PackageTally[];
    /** Largest first: what dropping each saved. */
    readonly removed: readonly PackageTally[];
    readonly changed: readonly { readonly name: string; readonly from: string; readonly to: string }[];
    /** In both images, by name. */
    readonly kept: readonly KeptPackage[];
  };
  readonly bytes: { readonly before: number; readonly after: number };
  readonly files: { readonly before: number; readonly after: number };
}

/**
 * Files and packages added, removed and changed between two images; each package with its
 * files and bytes on each side, from the images' dpkg records (full or distroless). Pure.
 */
export function diffImages(a: DiffSide, b: DiffSide): ImageDiff {
  const sa = summarize(a.files, a.texts, a.knownOwners);
  const sb = summarize(b.files, b.texts, b.knownOwners);
  const before = new Map(a.files.map((f) => [f.path, f]));
  const after = new Map(b.files.map((f) => [f.path, f]));
  const same = (x: ImageFile, y: ImageFile) => x.kind === y.kind && x.sha256 === y.sha256 && x.target === y.target && x.mode === y.mode;
  const owned = (f: ImageFile, s: Summary): DiffEntry => {
    const pkg = s.owners.get(f.path);
    return pkg === undefined ? f : { ...f, package: pkg };
  };
  const ta = tallies(sa);
  const tb = tallies(sb);
  const va = new Map(sa.packageList.map((p) => [p.name, p]));
  const vb = new Map(sb.packageList.map((p) => [p.name, p]));
  const largest = (x: PackageTally, y: PackageTally) => y.bytes - x.bytes || (x.name < y.name ? -1 : 1);
  return {
    added: b.files.filter((f) => !before.has(f.path)).map((f) => owned(f, sb)),
    removed: a.files.filter((f) => !after.has(f.path)).map((f) => owned(f, sa)),
    changed: a.files.flatMap((x) => {
      const y = after.get(x.path);
      if (y === undefined || same(x, y)) return [];
      const pkg = sb.owners.get(y.path);
      return [{ before: x, after: y, ...(pkg === undefined ? {} : { package: pkg }) }];
    }),
    packages: {
      added: sb.packageList.filter((p) => !va.has(p.name)).map((p) => ({ ...p, ...tally(tb, p.name) })).sort(largest),
      removed: sa.packageList.filter((p) => !vb.has(p.name)).map((p) => ({ ...p, ...tally(ta, p.name) })).sort(largest),
      changed: sa.packageList.flatMap((p) => {
        const q = vb.get(p.name);
        return q === undefined || q.version === p.version ? [] : [{ name: p.name, from: p.version, to: q.version }];
      }),
      kept: sb.packageList.filter((p) => va.has(p.name)).map((p) => ({ name: p.name, version: p.version, before: tally(ta, p.name), after: tally(tb, p.name) })),
    },
    bytes: { before: sa.bytes, after: sb.bytes },
    files: { before: sa.files, after: sb.files },
  };
}

function tallies(s: Summary): Map<string, Tally> {
  return new Map(s.packages.map((g) => [g.name, { files: g.files, bytes: g.bytes }]));
}

function tally(m: Map<string, Tally>, name: string): Tally {
  return m.get(name) ?? { files: 0, bytes: 0 };
}
