import type { BlobStore } from "../cache/store.js";
import { collectBytes } from "../host/host.js";
import type { DebEntry } from "./deb.js";

/** One file system entry of a package, its content (for files) in the cache by sha256. */
export type ManifestEntry =
  | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly size: number; readonly sha256: string }
  | { readonly kind: "directory"; readonly path: string; readonly mode: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "hardlink"; readonly path: string; readonly target: string };

/**
 * A package's contents as plain data: its entries in archive order, its control files by
 * name (content sha256), and what extraction dropped or changed. Later stages (tracing,
 * layers) read files through this and the cache, never from a directory on disk.
 */
export interface PackageManifest {
  readonly deb: string;
  readonly entries: readonly ManifestEntry[];
  readonly control: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

/** Files up to this size are read whole before they are stored. */
const SMALL_FILE = 1 << 20;

/** 2: names that are not UTF-8 or hold a control character are dropped. */
const MANIFEST_VERSION = 2;

/**
 * Unpacks a cached .deb (by its sha256) into the cache: each file's bytes as a blob, the
 * manifest as metadata keyed by the .deb's digest, so a second unpack reads one small file.
 */
export async function unpackDeb(store: BlobStore, debSha256: string): Promise<PackageManifest> {
  const key = `manifest v${MANIFEST_VERSION} ${debSha256}`;
  const known = await store.readMeta<PackageManifest>(key);
  if (known !== undefined) return known;
  // The .deb reader (tar, decoders, their processes) loaded only when a package is unpacked:
  // a rebuild reading cached manifests (the SBOM's, the tree's) does without it.
  const { readDeb } = await import("./deb.js");
  const entries: ManifestEntry[] = [];
  const contents = await readDeb(store.open(debSha256), async (entry: DebEntry, content) => {
    if (entry.kind !== "file") {
      entries.push(entry);
      return;
    }
    // Most files are small: held whole, they are hashed and written in one call each.
    const { sha256, size } = content === undefined ? await store.putBytes(new Uint8Array(0)) : entry.size <= SMALL_FILE ? await store.putBytes(await collectBytes(content)) : await store.put(content);
    entries.push({ ...entry, size, sha256 });
  });
  const control: Record<string, string> = {};
  for (const [name, bytes] of [...contents.control.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    control[name] = (await store.putBytes(bytes)).sha256;
  }
  const manifest: PackageManifest = { deb: debSha256, entries, control, notes: contents.notes };
  await store.writeMeta(key, manifest);
  return manifest;
}
