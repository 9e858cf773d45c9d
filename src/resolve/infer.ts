import { posix } from "node:path";
import { mergedUsrPath } from "../debian/merged-usr.js";
import type { Need } from "./needs.js";

/**
 * The packages the spec's own files need, found in the release's Contents index: for each
 * need that neither the spec's files nor a package of the set satisfy, the package that ships
 * the file where the loader (or the kernel, or env) would look. One package: it is added, with
 * the need as its reason. Several shipping the same path: a problem naming them, never a guess.
 * None: a problem naming the file and what needs it. Pure.
 */
export interface Inference {
  /** Package -> why it is needed (`libz.so.1, needed by /app/server`), in the order found. */
  readonly add: ReadonlyMap<string, { readonly why: string; readonly entry: number }>;
  readonly problems: readonly InferenceProblem[];
}

export type InferenceProblem =
  | { readonly kind: "ambiguous"; readonly need: Need; readonly path: string; readonly packages: readonly string[] }
  | { readonly kind: "nowhere"; readonly need: Need };

/** Where a need may be met: the paths to look up, in the order they are searched. */
export function needPaths(need: Need): string[] {
  const paths = need.kind === "file" ? [need.path] : need.dirs.map((d) => posix.join(d, need.name));
  return paths.flatMap((p) => layouts(p));
}

/** A path as packages may ship it under merged /usr: `/lib/x` is also `/usr/lib/x`, and back. */
function layouts(path: string): string[] {
  const merged = mergedUsrPath(path);
  const split = merged.replace(/^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)\//, "/$1/");
  return [...new Set([path, merged, split])];
}

export function describeNeed(need: Need): string {
  return need.kind === "file" ? `${need.path}, needed by ${need.by}` : `${need.name}, needed by ${need.by}`;
}

export function inferPackages(
  needs: readonly Need[],
  contents: ReadonlyMap<string, readonly string[]>,
  inSet: ReadonlySet<string>,
  specPaths: ReadonlySet<string>,
): Inference {
  const add = new Map<string, { why: string; entry: number }>();
  const problems: InferenceProblem[] = [];
  for (const need of needs) {
    const paths = needPaths(need);
    if (paths.some((p) => specPaths.has(mergedUsrPath(p)))) continue;
    const shipped = paths.map((p) => ({ path: p, packages: contents.get(p.slice(1)) ?? [] })).filter((s) => s.packages.length > 0);
    if (shipped.some((s) => s.packages.some((p) => inSet.has(p) || add.has(p)))) continue;
    const first = shipped[0];
    if (first === undefined) problems.push({ kind: "nowhere", need });
    else if (first.packages.length > 1) problems.push({ kind: "ambiguous", need, path: first.path, packages: [...first.packages].sort() });
    else add.set(first.packages[0] as string, { why: describeNeed(need), entry: need.entry });
  }
  return { add, problems };
}

/** The file names the Contents index is searched for. */
export function neededNames(needs: readonly Need[]): Set<string> {
  return new Set(needs.map((n) => (n.kind === "file" ? posix.basename(n.path) : n.name)));
}
