import { posix } from "node:path";
import { bytesAsRandomFile, HostError, type FileStat, type Host, type HttpResponse } from "./host.js";

/** What an in-memory host answers for a URL: bytes (200), or undefined (404). */
export type MemoryWeb = (url: string) => Uint8Array | undefined;

export interface MemoryHostOptions {
  /** Symlinks by path: absolute or relative targets. */
  readonly symlinks?: Readonly<Record<string, string>>;
  /** Modes by path (default 0644 for files, 0755 for directories). */
  readonly modes?: Readonly<Record<string, number>>;
  /** The network: every GET is answered from here (none: every URL is absent). */
  readonly web?: MemoryWeb;
  /** The clock (default the epoch). */
  readonly now?: Date;
  /** Processes that run besides this one (pid 1), for temporaries left by others. */
  readonly running?: readonly number[];
}

interface Node {
  readonly kind: "file" | "directory" | "symlink";
  data: Uint8Array;
  target: string;
  mode: number;
  uid: number;
  gid: number;
  modified: number;
}

/**
 * A Host over an in-memory tree, for tests: files by absolute path (their directories made
 * with them), symlinks, and a web of URLs. Writes change the tree as they would a disk, with
 * the same error codes, so a whole build can run in it and its outputs be read back.
 */
export function createMemoryHost(files: Readonly<Record<string, string | Uint8Array>>, opts: MemoryHostOptions = {}): Host {
  const nodes = new Map<string, Node>();
  const clock = opts.now ?? new Date(0);
  let names = 0;
  const node = (kind: Node["kind"], init: Partial<Node> = {}): Node => ({ kind, data: new Uint8Array(0), target: "", mode: kind === "directory" ? 0o755 : 0o644, uid: 0, gid: 0, modified: clock.getTime(), ...init });
  nodes.set("/", node("directory"));
  const makeParents = (path: string) => {
    for (let dir = posix.dirname(path); !nodes.has(dir); dir = posix.dirname(dir)) nodes.set(dir, node("directory"));
  };
  for (const [path, content] of Object.entries(files)) {
    const p = posix.normalize(path);
    makeParents(p);
    nodes.set(p, node("file", { data: bytesOf(content) }));
  }
  for (const [path, mode] of Object.entries(opts.modes ?? {})) {
    const found = nodes.get(posix.normalize(path));
    if (found !== undefined) found.mode = mode;
  }
  for (const [path, target] of Object.entries(opts.symlinks ?? {})) {
    const p = posix.normalize(path);
    makeParents(p);
    nodes.set(p, node("symlink", { target }));
  }

  /** The path with every link resolved (the last one too unless `keepLast`), and what is there. */
  const resolve = (path: string, keepLast = false): { path: string; node: Node | undefined } | undefined => {
    let out = "/";
    const parts = posix.resolve("/", path).split("/").filter(Boolean);
    for (let hops = 0; parts.length > 0; ) {
      const next = posix.join(out, parts.shift() as string);
      const found = nodes.get(next);
      if (found?.kind === "symlink" && !(keepLast && parts.length === 0)) {
        if (++hops > 40) return undefined;
        parts.unshift(...posix.resolve(out, found.target).split("/").filter(Boolean));
        out = "/";
        continue;
      }
      if (found === undefined && parts.length > 0) return undefined;
      if (found !== undefined && found.kind === "file" && parts.length > 0) return undefined;
      out = next;
    }
    return { path: out, node: nodes.get(out) };
  };
  const existing = (path: string, keepLast = false) => {
    const r = resolve(path, keepLast);
    if (r?.node === undefined) throw errno("ENOENT", path);
    return r as { path: string; node: Node };
  };
  const parentOf = (path: string) => {
    const parent = resolve(posix.dirname(posix.resolve("/", path)));
    if (parent?.node === undefined) throw errno("ENOENT", path);
    if (parent.node.kind !== "directory") throw errno("ENOTDIR", path);
    return parent.path;
  };
  /** Where a new entry named `path` goes: its parent resolved, its own name kept. */
  const placeOf = (path: string) => posix.join(parentOf(path), posix.basename(posix.resolve("/", path)));
  const children = (dir: string) => [...nodes.keys()].filter((p) => p !== dir && posix.dirname(p) === dir);

  const host: Host = {
    async stat(path: string): Promise<FileStat | undefined> {
      const found = resolve(path)?.node;
      return found === undefined ? undefined : statOf(found);
    },
    async lstat(path: string): Promise<FileStat | undefined> {
      const found = resolve(path, true)?.node;
      return found === undefined ? undefined : statOf(found);
    },
    async readlink(path: string): Promise<string> {
      const found = resolve(path, true)?.node;
      if (found?.kind !== "symlink") throw new HostError(`${path}: not a symlink`, path, "not a symlink");
      return found.target;
    },
    async readFile(path: string): Promise<Uint8Array> {
      const found = resolve(path)?.node;
      if (found === undefined) throw new HostError(`${path}: no such file`, path, "no such file");
      if (found.kind !== "file") throw new HostError(`${path}: is a directory`, path, "is a directory");
      return found.data;
    },
    async readPrefix(path: string, length: number): Promise<Uint8Array> {
      return (await host.readFile(path)).subarray(0, length);
    },
    async openRandom(path: string) {
      const data = await host.readFile(path);
      return bytesAsRandomFile(data);
    },
    async realpath(path: string): Promise<string | undefined> {
      const r = resolve(path);
      return r?.node === undefined ? undefined : r.path;
    },
    async readdir(path: string): Promise<string[] | undefined> {
      const r = resolve(path);
      if (r?.node?.kind !== "directory") return undefined;
      return children(r.path)
        .map((p) => posix.basename(p))
        .sort();
    },
    async writeFileAtomic(path: string, content: Uint8Array | string): Promise<void> {
      const place = placeOf(path);
      if (nodes.get(place)?.kind === "directory") throw errno("EISDIR", path);
      nodes.set(place, node("file", { data: bytesOf(content) }));
    },
    now: () => clock,

    async *readStream(path: string): AsyncIterable<Uint8Array> {
      const data = await host.readFile(path);
      for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536);
    },
    async createFile(path, content) {
      const place = placeOf(path);
      if (nodes.has(place)) throw errno("EEXIST", path);
      if (typeof content === "string" || content instanceof Uint8Array) {
        nodes.set(place, node("file", { data: bytesOf(content) }));
        return;
      }
      const file = node("file");
      nodes.set(place, file);
      try {
        const chunks: Uint8Array[] = [];
        // Copied: the producer may fill the same buffer for its next chunk.
        for await (const chunk of content) chunks.push(chunk.slice());
        file.data = Buffer.concat(chunks);
      } catch (error) {
        nodes.delete(place);
        throw error;
      }
    },
    async mkdir(path) {
      const p = posix.resolve("/", path);
      const r = resolve(p);
      if (r?.node !== undefined) {
        if (r.node.kind !== "directory") throw errno("EEXIST", path);
        return;
      }
      const parent = posix.dirname(p);
      if (parent !== p) await host.mkdir(parent);
      nodes.set(placeOf(p), node("directory"));
    },
    async rename(from, to) {
      const source = existing(from, true).path;
      const dest = placeOf(to);
      if (dest === source) return;
      if (dest.startsWith(`${source}/`)) throw errno("EINVAL", to);
      const there = nodes.get(dest);
      if (there !== undefined && there.kind === "directory" && (nodes.get(source)?.kind !== "directory" || children(dest).length > 0)) throw errno(there.kind === "directory" ? "ENOTEMPTY" : "EISDIR", to);
      for (const p of [...nodes.keys()]) {
        if (p === source || p.startsWith(`${source}/`)) {
          const moved = nodes.get(p) as Node;
          nodes.delete(p);
          nodes.set(dest + p.slice(source.length), moved);
        }
      }
    },
    async remove(path) {
      const r = resolve(path, true);
      if (r?.node === undefined || r.path === "/") return;
      for (const p of [...nodes.keys()]) if (p === r.path || p.startsWith(`${r.path}/`)) nodes.delete(p);
    },
    async copyFile(from, to) {
      const data = await host.readFile(from);
      const place = placeOf(to);
      if (nodes.get(place)?.kind === "directory") throw errno("EISDIR", to);
      nodes.set(place, node("file", { data }));
    },
    async symlink(target, path) {
      const place = placeOf(path);
      if (nodes.has(place)) throw errno("EEXIST", path);
      nodes.set(place, node("symlink", { target, mode: 0o777 }));
    },
    async setMode(path, mode) {
      existing(path).node.mode = mode;
    },
    async setOwner(path, uid, gid) {
      const found = existing(path, true).node;
      found.uid = uid;
      found.gid = gid;
    },
    uniqueName: () => `m${(names++).toString(16).padStart(8, "0")}`,
    writer: { machine: "00000000", pid: 1 },
    running: (pid) => pid === 1 || (opts.running ?? []).includes(pid),
    async httpGet(url): Promise<HttpResponse> {
      const body = opts.web?.(url);
      return {
        status: body === undefined ? 404 : 200,
        statusText: body === undefined ? "Not Found" : "OK",
        header: (name) => (name.toLowerCase() === "content-length" && body !== undefined ? String(body.length) : undefined),
        body: body === undefined ? undefined : (async function* () {
          yield body;
        })(),
        discard: async () => undefined,
      };
    },
  };
  return host;
}

function statOf(node: Node): FileStat {
  return { kind: node.kind, size: node.kind === "symlink" ? node.target.length : node.data.length, modified: node.modified, mode: node.mode };
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

/** An error as the file system gives it: a message and the system's code. */
function errno(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}
