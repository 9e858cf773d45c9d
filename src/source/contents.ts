import type { BlobStore } from "../cache/store.js";
import type { Host } from "../host/host.js";
import { SourceError } from "../host/errors.js";
import { fetchListed, type ArchiveEvents, type VerifiedRelease } from "./archive.js";

/**
 * Which packages ship a file, from the release's `Contents-<arch>` and `Contents-all` indexes: listed in the
 * signed Release like the Packages indexes, fetched and verified the same way, kept in the
 * cache by digest, and read as a stream (bookworm's main index is 170 MB of text). Only the
 * lines whose file name is wanted are kept: paths without the leading `/`, as the index
 * writes them, each with the names of the packages that ship it.
 */
export type ContentsLookup = ReadonlyMap<string, readonly string[]>;

/** The Contents index of a component and architecture, as a Release lists it. */
function contentsIndex(where: VerifiedRelease, component: string, arch: string): { path: string; sha256: string; size: number } | undefined {
  for (const suffix of [".gz", ".xz", ""]) {
    const path = `${component}/Contents-${arch}${suffix}`;
    const file = where.release.files.get(path);
    if (file !== undefined) return { path, ...file };
  }
  return undefined;
}

export async function loadContents(
  host: Host,
  store: BlobStore,
  where: readonly VerifiedRelease[],
  options: { components: readonly string[]; arch: string; offline: boolean; names: ReadonlySet<string> },
  events: ArchiveEvents = {},
): Promise<ContentsLookup> {
  const found = new Map<string, string[]>();
  if (options.names.size === 0) return found;
  for (const release of where) {
    for (const component of options.components) {
      // The architecture's own index, then `Contents-all`: since bookworm, Debian lists the
      // files of Architecture: all packages (python3-requests, perl modules) only there.
      for (const arch of [options.arch, "all"]) {
        const index = contentsIndex(release, component, arch);
        if (index === undefined || index.size === 0) continue;
        if (!(await fetchListed(host, release, index, store, options.offline, events))) {
          throw new SourceError(`offline, and the cache lacks ${release.base}/dists/${release.suite}/${index.path}`, "run once without --offline to fill the cache");
        }
        const { compressionOf, decompressStream } = await import("../extract/decompress.js");
        await scanContents(decompressStream(compressionOf(index.path), store.open(index.sha256)), options.names, found);
      }
    }
  }
  return found;
}

/**
 * Reads a Contents index line by line (`path<spaces>section/package[,section/package...]`),
 * keeping the lines whose file name is one of `names`.
 */
export async function scanContents(chunks: AsyncIterable<Uint8Array>, names: ReadonlySet<string>, into: Map<string, string[]>): Promise<void> {
  const decoder = new TextDecoder();
  let carry = "";
  const line = (text: string) => {
    // The package list holds no space; the path may. Names are checked before anything is cut.
    const gap = Math.max(text.lastIndexOf(" "), text.lastIndexOf("\t"));
    if (gap <= 0) return;
    let end = gap;
    while (end > 0 && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
    if (!names.has(text.slice(text.lastIndexOf("/", end - 1) + 1, end))) return;
    const path = text.slice(0, end);
    const packages = text
      .slice(gap + 1)
      .split(",")
      .map((p) => p.slice(p.lastIndexOf("/") + 1));
    const list = into.get(path) ?? [];
    for (const p of packages) if (!list.includes(p)) list.push(p);
    into.set(path, list);
  };
  for await (const chunk of chunks) {
    const text = carry + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      line(text.slice(start, end));
      start = end + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.decode();
  if (carry !== "") line(carry);
}
