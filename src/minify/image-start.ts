import { posix } from "node:path";
import type { ImageRunConfig } from "../inspect/read-image.js";
import type { VirtualRoot } from "../trace/vroot.js";
import { didYouMean } from "../diagnostics/did-you-mean.js";

/** The PATH a runtime uses when the image's Env sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What the image runs: the program, as found in the image, and its two lists of arguments. */
export interface ImageStart {
  /** Absolute: a bare name is resolved through PATH, a relative one against WorkingDir. */
  readonly executable: string;
  /** Entrypoint after its first word: kept in the Entrypoint. */
  readonly entrypointArgs: readonly string[];
  /** Cmd (after its first word when there is no Entrypoint). */
  readonly cmd: readonly string[];
}

export type StartProblem =
  | { readonly kind: "no-command" }
  | { readonly kind: "not-on-path"; readonly name: string; readonly path: string; readonly suggestion?: string };

/**
 * The program an image config starts, as a runtime would find it: the first word of
 * Entrypoint, or of Cmd when there is no Entrypoint; a bare name searched in the PATH of the
 * image's Env (then the runtime's default) inside the image, a relative path taken from the
 * WorkingDir. A `#!` script is fine here: the tracer keeps its interpreter. Pure.
 */
export function imageStart(config: ImageRunConfig | null | undefined, root: VirtualRoot): ImageStart | StartProblem {
  const entrypoint = config?.Entrypoint ?? [];
  const cmd = config?.Cmd ?? [];
  const words = entrypoint.length > 0 ? entrypoint : cmd;
  const first = words[0];
  if (first === undefined || first === "") return { kind: "no-command" };
  const start = (executable: string): ImageStart =>
    entrypoint.length > 0 ? { executable, entrypointArgs: entrypoint.slice(1), cmd } : { executable, entrypointArgs: [], cmd: cmd.slice(1) };
  if (first.startsWith("/")) return start(posix.normalize(first));
  if (first.includes("/")) return start(posix.join(config?.WorkingDir || "/", first));
  const path = envValue(config?.Env, "PATH") ?? DEFAULT_PATH;
  const dirs = path.split(":").filter((d) => d.startsWith("/"));
  for (const dir of dirs) {
    const found = root.lookup(`${dir}/${first}`);
    if (found !== undefined && found.node.kind === "file") return start(posix.join(dir, first));
  }
  const names = dirs.flatMap((dir) => {
    const resolved = root.lookup(dir)?.path ?? dir;
    const prefix = `${resolved}/`;
    return [...root.nodes.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/")).map((p) => p.slice(prefix.length));
  });
  const suggestion = didYouMean(first, [...new Set(names)]);
  return { kind: "not-on-path", name: first, path, ...(suggestion === undefined ? {} : { suggestion }) };
}

/** The value of one variable of an OCI Env list (`NAME=value`), the last one winning. */
export function envValue(env: readonly string[] | null | undefined, name: string): string | undefined {
  let value: string | undefined;
  for (const entry of env ?? []) if (entry.startsWith(`${name}=`)) value = entry.slice(name.length + 1);
  return value;
}
