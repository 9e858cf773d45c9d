// Merged /usr: since bookworm's usrmerge (and trixie's base-files) /bin, /sbin and /lib* are
// links into /usr, so a package's /lib/x and another's /usr/lib/x are one file.

/** The top-level directories merged into /usr, as usrmerge and trixie's base-files do. */
export const MERGED_DIRECTORIES: readonly string[] = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

/** `/lib/x` -> `/usr/lib/x`: where a file lives in a merged-/usr root. */
export function mergedUsrPath(path: string): string {
  const top = path.split("/")[1] ?? "";
  return MERGED_DIRECTORIES.includes(top) ? `/usr${path}` : path;
}
