import { parseGlob, type GlobParse } from "./glob.js";

/**
 * The exclusion patterns of a directory source, as .dockerignore and .gitignore read them: a
 * pattern without `/` matches a name at any depth (`.git`, `__pycache__`, `*.pyc`); one with
 * `/` is taken from the tree's top (`build/cache`, `docs/**`). Each stands for an absolute
 * glob over `/` + the path relative to the tree.
 */
export function treeGlob(pattern: string): GlobParse {
  const trimmed = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  return parseGlob(trimmed.includes("/") || pattern.startsWith("/") ? `/${trimmed}` : `/**/${trimmed}`);
}

/** A tarball by its name: `.tar`, `.tar.gz`/`.tgz`, `.tar.xz`/`.txz`, `.tar.zst`/`.tzst`. */
export const TARBALL = /\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.zst|tzst)$/;

/** Whether a path relative to the tree is left out; undefined when a pattern is not a glob. */
export function treeExcluder(patterns: readonly string[]): ((rel: string) => boolean) | undefined {
  const regexes: RegExp[] = [];
  for (const pattern of patterns) {
    const parsed = treeGlob(pattern);
    if (!parsed.ok) return undefined;
    regexes.push(parsed.regex);
  }
  return (rel) => regexes.some((r) => r.test(`/${rel}`));
}
