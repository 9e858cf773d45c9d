import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { BlobStore } from "../cache/store.js";
import { SourceError } from "../host/errors.js";
import type { Host } from "../host/host.js";
import { treeExcluder } from "../paths/tree-glob.js";
import type { SpecEntries } from "../plan/step-params.js";
import type { Spec } from "../types/spec.js";
import { walkSourceTree, walkTarball } from "../validate/source-tree.js";

/** The spec's files as read: what the plan carries, and where each file's bytes are. */
export interface ReadSpecFiles {
  readonly entries: SpecEntries;
  /** By sha256: a repository file's path on the host, a member of a tarball, or inline bytes. */
  readonly contents: ReadonlyMap<string, string | Uint8Array | { readonly tar: string; readonly member: string }>;
}

/**
 * Reads the spec's `files` through the host, each file hashed as it streams by (nothing held
 * in memory but inline content): a file source, inline content, or a directory walked whole,
 * its files 0755 when executable in the repository and 0644 otherwise. Validation has checked
 * that every source is there, inside the spec's directory, and holds nothing an image cannot.
 */
export async function readSpecFiles(host: Host, spec: Spec, specPath: string): Promise<ReadSpecFiles> {
  const specDir = posix.dirname(specPath);
  const files: SpecEntries["files"][number][] = [];
  const links: SpecEntries["links"][number][] = [];
  const dirs: SpecEntries["dirs"][number][] = [];
  const contents = new Map<string, string | Uint8Array | { tar: string; member: string }>();
  const hashFile = async (hostPath: string) => {
    const hash = createHash("sha256");
    for await (const chunk of host.readStream(hostPath)) hash.update(chunk);
    const sha256 = hash.digest("hex");
    contents.set(sha256, hostPath);
    return sha256;
  };
  for (const file of spec.files) {
    if (file.kind === "content") {
      const bytes = new TextEncoder().encode(file.content);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      contents.set(sha256, bytes);
      files.push({ path: file.path, mode: file.mode, sha256, source: null });
      continue;
    }
    const hostPath = posix.join(specDir, file.source);
    if (file.unpack) {
      // A tarball unpacked under the path: its files hashed as the archive streams by.
      const digests = new Map<string, string>();
      const { items } = await walkTarball(host, hostPath, treeExcluder(file.exclude), async (rel, body) => {
        const hash = createHash("sha256");
        for await (const chunk of body) hash.update(chunk);
        digests.set(rel, hash.digest("hex"));
      });
      dirs.push({ path: file.path, source: `${file.source}!/` });
      for (const item of items) {
        const path = posix.join(file.path, item.rel);
        const source = `${file.source}!/${item.rel}`;
        if (item.kind === "directory") dirs.push({ path, source: `${source}/` });
        else if (item.kind === "symlink") links.push({ path, target: item.target, source });
        else {
          const sha256 = digests.get(item.sameAs ?? item.rel) as string;
          if (!contents.has(sha256)) contents.set(sha256, { tar: hostPath, member: item.sameAs ?? item.rel });
          files.push({ path, mode: item.executable ? 0o755 : 0o644, sha256, source });
        }
      }
      continue;
    }
    if ((await host.stat(hostPath))?.kind !== "directory") {
      files.push({ path: file.path, mode: file.mode, sha256: await hashFile(hostPath), source: file.source });
      continue;
    }
    const top = file.source.replace(/\/+$/, "");
    const { items } = await walkSourceTree(host, hostPath, treeExcluder(file.exclude));
    dirs.push({ path: file.path, source: `${top}/` });
    for (const item of items) {
      const path = posix.join(file.path, item.rel);
      const source = `${top}/${item.rel}`;
      if (item.kind === "directory") dirs.push({ path, source: `${source}/` });
      else if (item.kind === "symlink") links.push({ path, target: item.target, source });
      else files.push({ path, mode: item.executable ? 0o755 : 0o644, sha256: await hashFile(posix.join(hostPath, item.rel)), source });
    }
  }
  return { entries: { files, links, dirs }, contents };
}

/**
 * Puts the spec's files into the cache, where the tree step reads them by digest; a file that
 * changed since it was hashed is refused rather than built from.
 */
export async function storeSpecFiles(host: Host, store: BlobStore, read: ReadSpecFiles): Promise<void> {
  const fromTarballs = new Map<string, Map<string, string>>();
  for (const [sha256, content] of read.contents) {
    if (await store.has(sha256)) continue;
    if (typeof content === "object" && !(content instanceof Uint8Array)) {
      const members = fromTarballs.get(content.tar) ?? new Map<string, string>();
      members.set(content.member, sha256);
      fromTarballs.set(content.tar, members);
      continue;
    }
    const stored = typeof content === "string" ? await store.put(host.readStream(content)) : await store.putBytes(content);
    if (stored.sha256 !== sha256) throw new SpecFileChanged(typeof content === "string" ? content : "inline content");
  }
  // Each tarball read once more, its wanted members put into the cache as they pass.
  for (const [tar, members] of fromTarballs) {
    await walkTarball(host, tar, undefined, async (rel, body) => {
      const sha256 = members.get(rel);
      if (sha256 === undefined) {
        for await (const _ of body) void _;
        return;
      }
      if ((await store.put(body)).sha256 !== sha256) throw new SpecFileChanged(`${tar} (${rel})`);
      members.delete(rel);
    });
    if (members.size > 0) throw new SpecFileChanged(tar);
  }
}

/** A spec's file changed between its hashing (the plan) and its copy into the cache: the world's doing, exit 3. */
export class SpecFileChanged extends SourceError {
  constructor(readonly path: string) {
    super(`${path} changed while mcc was building`, "build again once nothing is writing to it");
    this.name = "SpecFileChanged";
  }
}
