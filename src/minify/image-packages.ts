import type { BlobStore } from "../cache/store.js";
import type { ManifestEntry, PackageManifest } from "../extract/unpack.js";
import type { ImageFile } from "../inspect/read-image.js";
import { ownerOf, type DpkgDatabase } from "../debian/dpkg-database.js";

const MERGED_TOP = /^\/(bin|sbin|lib|lib32|lib64|libx32)$/;

/** The owner of an image's files that no dpkg record lists. */
export const IMAGE_OWNER = "(image)";

/** An image's files grouped as packages, the shape the tracer, dpkg-status and SBOM read. */
export interface ImagePackages {
  readonly database: DpkgDatabase;
  /** One per installed package that owns a file of the image, then `(image)` for the rest. */
  readonly packages: readonly { readonly name: string; readonly manifest: PackageManifest }[];
}

/**
 * The image's files as package manifests: each file or link under the package that lists it,
 * at the path the package lists (`/bin/ls` of a bookworm package whose file lies at
 * `/usr/bin/ls`), with the image's bytes (a file changed after installation is taken as it
 * is); its control stanza and conffiles as blobs, as an unpacked .deb's would be. Everything
 * else (directories, generated files, /etc/alternatives) belongs to `(image)`.
 */
export async function imagePackages(files: readonly ImageFile[], database: DpkgDatabase, store: BlobStore): Promise<ImagePackages> {
  const entries = new Map<string, ManifestEntry[]>();
  const add = (pkg: string, entry: ManifestEntry) => {
    const list = entries.get(pkg);
    if (list === undefined) entries.set(pkg, [entry]);
    else list.push(entry);
  };
  for (const f of files) {
    // The virtual root makes its own merged-/usr links; the image's `/bin -> usr/bin` would
    // land on /usr/bin itself (every path goes through mergedUsrPath there).
    if (f.kind === "symlink" && MERGED_TOP.test(f.path)) continue;
    const owner = f.kind === "directory" ? undefined : ownerOf(database, f.path);
    const pkg = owner?.pkg ?? IMAGE_OWNER;
    const path = owner?.path ?? f.path;
    if (f.kind === "directory") add(pkg, { kind: "directory", path, mode: f.mode });
    else if (f.kind === "symlink") add(pkg, { kind: "symlink", path, target: f.target ?? "" });
    else if (f.sha256 !== undefined) add(pkg, { kind: "file", path, mode: f.mode, size: f.size, sha256: f.sha256 });
  }
  const packages: { name: string; manifest: PackageManifest }[] = [];
  for (const p of database.packages) {
    const own = entries.get(p.name);
    if (own === undefined) continue;
    const control: Record<string, string> = { control: (await store.putBytes(new TextEncoder().encode(p.control))).sha256 };
    if (p.conffiles.length > 0) control["conffiles"] = (await store.putBytes(new TextEncoder().encode(p.conffiles.map((c) => `${c}\n`).join("")))).sha256;
    packages.push({ name: p.name, manifest: { deb: "", entries: own, control, notes: [] } });
  }
  packages.push({ name: IMAGE_OWNER, manifest: { deb: "", entries: entries.get(IMAGE_OWNER) ?? [], control: {}, notes: [] } });
  return { database, packages };
}
