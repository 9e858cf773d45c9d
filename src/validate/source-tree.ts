import { posix } from "node:path";
import { HostError, type Host } from "../host/host.js";
import { nameProblem } from "../paths/names.js";

/**
 * A directory of the repository named as a `files` source, walked through the host: its
 * regular files (with whether they are executable), directories and symlinks, by path relative
 * to the directory, in byte order. What an image must not take from it is a problem instead:
 * a symlink out of the tree, a device, socket or pipe, a file too large, a name that is not
 * UTF-8 or holds a control character, an entry the host cannot read; and past
 * `MAX_TREE_ENTRIES`, the walk stops.
 */
export type SourceItem =
  | { readonly kind: "file"; readonly rel: string; readonly executable: boolean; readonly size: number }
  | { readonly kind: "directory"; readonly rel: string }
  | { readonly kind: "symlink"; readonly rel: string; readonly target: string };

export type SourceProblem =
  | { readonly kind: "escapes"; readonly rel: string; readonly target: string }
  /** A tarball member named out of the archive's top (`..`, an absolute name). */
  | { readonly kind: "outside"; readonly rel: string }
  | { readonly kind: "special"; readonly rel: string }
  /** A name (or a link's target) that is not UTF-8 text without control characters (src/paths/names.ts). */
  | { readonly kind: "bad-name"; readonly rel: string; readonly reason: string }
  | { readonly kind: "too-large"; readonly rel: string; readonly size: number }
  | { readonly kind: "too-many"; readonly limit: number }
  | { readonly kind: "unreadable"; readonly rel: string; readonly reason: string };

/** No file of a tree may be larger (the layer format holds more, but no application file is). */
export const MAX_SOURCE_FILE = 2 ** 31;
/** How many entries one tree may hold: each is a line of the plan. */
export const MAX_TREE_ENTRIES = 100_000;

export async function walkSourceTree(host: Host, dir: string, excluded: (rel: string) => boolean = () => false): Promise<{ items: SourceItem[]; problems: SourceProblem[] }> {
  const items: SourceItem[] = [];
  const problems: SourceProblem[] = [];
  const visit = async (rel: string): Promise<boolean> => {
    let names: string[] | undefined;
    try {
      names = await host.readdir(rel === "" ? dir : posix.join(dir, rel));
    } catch (error) {
      if (!(error instanceof HostError)) throw error;
      problems.push({ kind: "unreadable", rel: rel || ".", reason: error.reason });
      return true;
    }
    for (const name of [...(names ?? [])].sort(byteOrder)) {
      const path = rel === "" ? name : `${rel}/${name}`;
      if (excluded(path)) continue;
      const badName = nameProblem(name);
      if (badName !== undefined) {
        problems.push({ kind: "bad-name", rel: path, reason: badName });
        continue;
      }
      if (items.length >= MAX_TREE_ENTRIES) {
        problems.push({ kind: "too-many", limit: MAX_TREE_ENTRIES });
        return false;
      }
      let info: Awaited<ReturnType<Host["lstat"]>>;
      try {
        info = await host.lstat(posix.join(dir, path));
      } catch (error) {
        if (!(error instanceof HostError)) throw error;
        problems.push({ kind: "unreadable", rel: path, reason: error.reason });
        continue;
      }
      if (info === undefined) continue; // gone while we looked
      switch (info.kind) {
        case "directory":
          items.push({ kind: "directory", rel: path });
          if (!(await visit(path))) return false;
          break;
        case "file":
          if (info.size > MAX_SOURCE_FILE) problems.push({ kind: "too-large", rel: path, size: info.size });
          else items.push({ kind: "file", rel: path, executable: (info.mode & 0o111) !== 0, size: info.size });
          break;
        case "symlink": {
          const target = await host.readlink(posix.join(dir, path));
          const badTarget = nameProblem(target);
          if (badTarget !== undefined) problems.push({ kind: "bad-name", rel: path, reason: badTarget.replace(/^it /, "its target ") });
          else if (leavesTree(path, target)) problems.push({ kind: "escapes", rel: path, target });
          else items.push({ kind: "symlink", rel: path, target });
          break;
        }
        default:
          problems.push({ kind: "special", rel: path });
      }
    }
    return true;
  };
  await visit("");
  return { items, problems };
}

/** Whether a link at `rel` (inside the tree) to `target` points outside the tree: absolute, or `..` past its top. */
function leavesTree(rel: string, target: string): boolean {
  if (target.startsWith("/") || target === "") return true;
  const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
  return resolved === ".." || resolved.startsWith("../");
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A tarball named as a `files` source with `unpack`, walked as a directory would be: its
 * regular files, directories and symlinks by path relative to its top, in the archive's order;
 * a hard link is a copy of the file it names. What an image must not take is a problem: a
 * member with `..` or an absolute path, a link out of the tree, a device or pipe, a file over
 * the limit, a tarball that cannot be read. `onFile` sees each file's bytes (and must read
 * them), for hashing or storing.
 */
export async function walkTarball(
  host: Host,
  path: string,
  excluded: (rel: string) => boolean = () => false,
  onFile?: (rel: string, body: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<{ items: (SourceItem & { readonly sameAs?: string })[]; problems: SourceProblem[] }> {
  const items: (SourceItem & { sameAs?: string })[] = [];
  const problems: SourceProblem[] = [];
  const files = new Map<string, SourceItem & { kind: "file" }>();
  // Loaded here: a build whose spec names no tarball does without the tar reader and decoders.
  const [{ extract }, { compressionOf, decompressStream }] = await Promise.all([import("tar-stream"), import("../extract/decompress.js")]);
  const compression = /\.tgz$/.test(path) ? "gzip" : /\.txz$/.test(path) ? "xz" : /\.tzst$/.test(path) ? "zstd" : compressionOf(path);
  const leftOut = (rel: string) => {
    for (let at = rel.indexOf("/"); at !== -1; at = rel.indexOf("/", at + 1)) if (excluded(rel.slice(0, at))) return true;
    return excluded(rel);
  };
  const tar = extract();
  const feeding = (async () => {
    for await (const chunk of decompressStream(compression, host.readStream(path))) {
      if (!tar.write(chunk)) await new Promise<void>((resolve) => tar.once("drain", () => resolve()));
    }
    tar.end(undefined);
  })();
  feeding.catch((error: Error) => tar.destroy(error));
  try {
    for await (const entry of tar as unknown as AsyncIterable<{ header: TarHeader } & AsyncIterable<Uint8Array>>) {
      const drain = async () => {
        for await (const _ of entry) void _;
      };
      const h = entry.header;
      const name = h.name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
      if (name === "" || name === ".") {
        await drain();
        continue;
      }
      if (name.startsWith("/") || name.split("/").includes("..")) {
        problems.push({ kind: "outside", rel: h.name });
        await drain();
        continue;
      }
      if (leftOut(name)) {
        await drain();
        continue;
      }
      const badName = nameProblem(name) ?? (h.linkname ? nameProblem(h.linkname)?.replace(/^it /, "its target ") : undefined);
      if (badName !== undefined) {
        problems.push({ kind: "bad-name", rel: name, reason: badName });
        await drain();
        continue;
      }
      if (items.length >= MAX_TREE_ENTRIES) {
        problems.push({ kind: "too-many", limit: MAX_TREE_ENTRIES });
        await drain();
        break;
      }
      switch (h.type) {
        case "file":
        case "contiguous-file":
          if ((h.size ?? 0) > MAX_SOURCE_FILE) {
            problems.push({ kind: "too-large", rel: name, size: h.size ?? 0 });
            await drain();
            break;
          }
          {
            const item = { kind: "file" as const, rel: name, executable: ((h.mode ?? 0) & 0o111) !== 0, size: h.size ?? 0 };
            items.push(item);
            files.set(name, item);
          }
          if (onFile === undefined) await drain();
          else await onFile(name, entry);
          break;
        case "directory":
          items.push({ kind: "directory", rel: name });
          await drain();
          break;
        case "symlink": {
          const target = h.linkname ?? "";
          if (leavesTree(name, target)) problems.push({ kind: "escapes", rel: name, target });
          else items.push({ kind: "symlink", rel: name, target });
          await drain();
          break;
        }
        case "link": {
          const target = (h.linkname ?? "").replace(/^(\.\/)+/, "");
          const original = files.get(target);
          if (original === undefined) problems.push({ kind: "escapes", rel: name, target: h.linkname ?? "" });
          else items.push({ ...original, rel: name, sameAs: target });
          await drain();
          break;
        }
        default:
          problems.push({ kind: "special", rel: name });
          await drain();
      }
    }
    await feeding;
  } catch (error) {
    problems.push({ kind: "unreadable", rel: ".", reason: `not a readable tar archive (${error instanceof Error ? error.message : String(error)})` });
  }
  return { items, problems };
}

interface TarHeader {
  readonly name: string;
  readonly type: string;
  readonly mode?: number;
  readonly size?: number;
  readonly linkname?: string | null;
}
