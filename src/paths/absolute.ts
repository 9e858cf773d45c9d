import { nameProblem } from "./names.js";

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
  const name = nameProblem(path);
  return name === undefined ? undefined : { kind: "abnormal", reason: name };
}

/** True when `inner` is `outer` itself or lies below it. Both absolute and normal. */
export function isWithin(inner: string, outer: string): boolean {
  return outer === "/" || inner === outer || inner.startsWith(outer + "/");
}
