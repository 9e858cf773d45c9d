import { posix } from "node:path";
import { HostError, type FileStat, type Host } from "./host.js";

/**
 * A Host over an in-memory tree, for tests: files by absolute path, directories implied by
 * the files beneath them, and symlinks (absolute or relative targets).
 */
export function createMemoryHost(
  files: Readonly<Record<string, string | Uint8Array>>,
  symlinks: Readonly<Record<string, string>> = {},
): Host {
  const data = new Map<string, Uint8Array>();
  for (const [path, content] of Object.entries(files)) {
    data.set(posix.normalize(path), typeof content === "string" ? new TextEncoder().encode(content) : content);
  }
  const links = new Map(Object.entries(symlinks).map(([p, t]) => [posix.normalize(p), t]));
  const isDir = (path: string) => path === "/" || [...data.keys()].some((p) => p.startsWith(path + "/"));

  const resolve = (path: string): string | undefined => {
    let out = "/";
    const parts = posix.normalize(posix.resolve("/", path)).split("/").filter(Boolean);
    for (let hops = 0; parts.length > 0; ) {
      const next = posix.join(out, parts.shift() as string);
      const target = links.get(next);
      if (target !== undefined) {
        if (++hops > 40) return undefined;
        parts.unshift(...posix.resolve(out, target).split("/").filter(Boolean));
        out = "/";
        continue;
      }
      out = next;
    }
    return data.has(out) || isDir(out) ? out : undefined;
  };

  return {
    async stat(path: string): Promise<FileStat | undefined> {
      const real = resolve(path);
      if (real === undefined) return undefined;
      const content = data.get(real);
      return content === undefined ? { kind: "directory", size: 0 } : { kind: "file", size: content.length };
    },
    async readFile(path: string): Promise<Uint8Array> {
      const real = resolve(path);
      const content = real === undefined ? undefined : data.get(real);
      if (content === undefined) throw new HostError(`${path}: no such file`, path, "no such file");
      return content;
    },
    async readPrefix(path: string, length: number): Promise<Uint8Array> {
      return (await this.readFile(path)).subarray(0, length);
    },
    async realpath(path: string): Promise<string | undefined> {
      return resolve(path);
    },
    async readdir(path: string): Promise<string[] | undefined> {
      const dir = resolve(path);
      if (dir === undefined || data.has(dir)) return undefined;
      const prefix = dir === "/" ? "/" : `${dir}/`;
      const names = new Set<string>();
      for (const p of data.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0] as string);
      return [...names].sort();
    },
    async writeFileAtomic(path: string, content: Uint8Array | string): Promise<void> {
      data.set(posix.normalize(path), typeof content === "string" ? new TextEncoder().encode(content) : content);
    },
    now: () => new Date(0),
  };
}
