/**
 * Why an image path is not an absolute, normal path, or undefined when it is. Normal means
 * what the image will really hold: no empty, `.` or `..` segments and no trailing slash, so
 * two spellings of one place cannot slip past duplicate checks.
 */
export function absolutePathProblem(path: string): { kind: "relative" } | { kind: "abnormal"; reason: string } | undefined {
  if (!path.startsWith("/")) return { kind: "relative" };
  if (path === "/") return undefined;
  if (path.endsWith("/")) return { kind: "abnormal", reason: "it ends with '/'" };
  for (const segment of path.slice(1).split("/")) {
    if (segment === "") return { kind: "abnormal", reason: "it has an empty segment ('//')" };
    if (segment === "." || segment === "..") return { kind: "abnormal", reason: `it has a '${segment}' segment` };
  }
  const control = /[\u0000-\u001f\u007f]/.exec(path);
  if (control !== null) return { kind: "abnormal", reason: `it holds the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}` };
  return undefined;
}

/** True when `inner` is `outer` itself or lies below it. Both absolute and normal. */
export function isWithin(inner: string, outer: string): boolean {
  return outer === "/" || inner === outer || inner.startsWith(outer + "/");
}
