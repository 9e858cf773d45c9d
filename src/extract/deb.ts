import { extract as tarExtract, type Header } from "tar-stream";
import { collectBytes } from "../host/host.js";
import { readAr } from "./ar.js";
import { nameProblem, oneLine } from "../paths/names.js";
import { compressionOf, decompressStream } from "./decompress.js";

/** One entry of a package's data archive, with a normalized absolute path. */
export type DebEntry =
  | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly size: number }
  | { readonly kind: "directory"; readonly path: string; readonly mode: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "hardlink"; readonly path: string; readonly target: string };

export interface DebContents {
  /** The control archive's files (`control`, `md5sums`, `conffiles`, ...), by name. */
  readonly control: ReadonlyMap<string, Uint8Array>;
  /** What was dropped or changed, and why (device nodes, setuid bits, unsafe paths). */
  readonly notes: readonly string[];
}

export class DebFormatError extends Error {
  override readonly name = "DebFormatError";
}

/**
 * Reads a .deb as a stream: `debian-binary`, then `control.tar.*` and `data.tar.*`, each
 * decompressed as it streams (xz, zstd, gzip or none). `onEntry` sees every data entry in
 * archive order and, for files, must consume `content`. Unsafe entries never reach it:
 * paths with `..` segments, names (or link targets) that are not UTF-8 or hold a control
 * character, device nodes and fifos are dropped; setuid, setgid and sticky bits are cleared;
 * hard links must point at an earlier entry. Each of these leaves a note.
 */
export async function readDeb(
  source: AsyncIterable<Uint8Array>,
  onEntry: (entry: DebEntry, content: AsyncIterable<Uint8Array> | undefined) => Promise<void>,
): Promise<DebContents> {
  const control = new Map<string, Uint8Array>();
  const notes: string[] = [];
  let sawVersion = false;
  let sawData = false;
  for await (const member of readAr(source)) {
    if (member.name === "debian-binary") {
      const text = new TextDecoder().decode(await collectBytes(member.body));
      if (!/^2\.\d+\n?$/.test(text.trim() + "\n")) throw new DebFormatError(`unsupported .deb format version "${text.trim()}"`);
      sawVersion = true;
    } else if (member.name.startsWith("control.tar")) {
      await walkTar(decompressStream(compressionOf(member.name), member.body, member.size), notes, async (entry, content) => {
        if (entry.kind === "file" && content !== undefined) {
          control.set(entry.path.replace(/^\//, ""), await collectBytes(content));
        }
      });
    } else if (member.name.startsWith("data.tar")) {
      await walkTar(decompressStream(compressionOf(member.name), member.body, member.size), notes, onEntry);
      sawData = true;
    }
  }
  if (!sawVersion) throw new DebFormatError("not a .deb: no debian-binary member");
  if (!sawData) throw new DebFormatError("not a .deb: no data.tar member");
  return { control, notes };
}

const SPECIAL_BITS = 0o7000;

async function walkTar(
  stream: AsyncIterable<Uint8Array>,
  notes: string[],
  onEntry: (entry: DebEntry, content: AsyncIterable<Uint8Array> | undefined) => Promise<void>,
): Promise<void> {
  const extract = tarExtract();
  const feeding = (async () => {
    try {
      for await (const chunk of stream) {
        if (!extract.write(chunk)) await new Promise<void>((resolve) => extract.once("drain", () => resolve()));
      }
      extract.end(undefined);
    } catch (error) {
      extract.destroy(error as Error);
    }
  })();
  const seen = new Set<string>();
  for await (const source of extract) {
    const header: Header = source.header;
    const path = normalizeEntryPath(header.name);
    const drop = (why: string) => notes.push(`${oneLine(header.name)}: ${why}; dropped`);
    if (path === undefined) {
      drop("the path leaves the root or is not a path");
      source.resume();
      continue;
    }
    // Names that are not UTF-8 text without control characters are never kept (src/paths/names.ts).
    const badName = nameProblem(path);
    const badTarget = header.linkname ? nameProblem(header.linkname) : undefined;
    if (badName !== undefined || badTarget !== undefined) {
      drop(badName !== undefined ? `the name: ${badName}` : `the link's target: ${badTarget}`);
      source.resume();
      continue;
    }
    let mode = header.mode & 0o7777;
    if ((mode & SPECIAL_BITS) !== 0 && header.type !== "directory") {
      notes.push(`${path}: setuid/setgid/sticky bits cleared (mode ${mode.toString(8)} -> ${(mode & 0o777).toString(8)})`);
      mode &= 0o777;
    }
    switch (header.type) {
      case "file":
      case "contiguous-file":
        seen.add(path);
        await onEntry({ kind: "file", path, mode, size: header.size }, source as unknown as AsyncIterable<Uint8Array>);
        break;
      case "directory":
        seen.add(path);
        await onEntry({ kind: "directory", path, mode: mode & 0o777 }, undefined);
        source.resume();
        break;
      case "symlink":
        seen.add(path);
        await onEntry({ kind: "symlink", path, target: header.linkname }, undefined);
        source.resume();
        break;
      case "link": {
        const target = normalizeEntryPath(header.linkname);
        if (target === undefined || !seen.has(target)) {
          drop(`a hard link to "${oneLine(header.linkname)}", which is not an earlier entry`);
        } else {
          seen.add(path);
          await onEntry({ kind: "hardlink", path, target }, undefined);
        }
        source.resume();
        break;
      }
      default:
        drop(`a ${header.type} (device nodes and fifos are never kept)`);
        source.resume();
    }
  }
  await feeding;
}

/** `./usr/bin/x` -> `/usr/bin/x`; undefined for `..` segments, NUL, or nothing at all. */
export function normalizeEntryPath(name: string): string | undefined {
  if (name.includes("\0")) return undefined;
  const parts: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return undefined;
    parts.push(segment);
  }
  return parts.length === 0 ? "/" : `/${parts.join("/")}`;
}
