import { createHash } from "node:crypto";
import { posix } from "node:path";
import { hashBlob, type BlobStore } from "../cache/store.js";
import { packageFiles, type FileContents, type PackageManifest } from "../extract/unpack.js";
import { packageLicense } from "./debian-licenses.js";
import { spdxFilesText, spdxJoin, type SbomFile, type SbomPackage, type SpdxFilesText } from "./spdx.js";
import type { Reason } from "../trace/trace.js";
import { RELEASE_VERSIONS } from "../trace/rules.js";
import type { TreeResult } from "../assemble/image-tree.js";

export interface SbomStepParams {
  readonly arch: string;
  readonly epoch: number;
  readonly name: string;
  readonly tag: string;
  readonly release: string;
  readonly tool: string;
  /** `local`: the path of a local .deb, relative to the spec (a package of the user's, not Debian's). */
  readonly packages: readonly { name: string; version: string; arch: string; source: string; sha256: string; local?: string }[];
  /**
   * The packages' manifests (for their copyright files) as one JSON blob, when they come from an
   * image's files rather than unpacked .debs (the step's inputs, for a compiled image).
   */
  readonly manifests?: string;
}

/**
 * The SHA1 of every blob of the tree, which SPDX asks for beside the sha256 the cache knows:
 * computed once for a set of blobs and kept in the cache under that set's digest, so an SBOM
 * written again for the same files (a change of `args`, `env` or labels) reads no file.
 */
async function blobSha1s(tree: TreeResult, store: BlobStore): Promise<ReadonlyMap<string, string>> {
  const blobs = [...new Set(tree.entries.flatMap((e) => (e.kind === "file" && "blob" in e.source ? [e.source.blob] : [])))].sort();
  const key = `sbom sha1 v1 ${createHash("sha256").update(blobs.join("\n")).digest("hex")}`;
  const known = await store.readMeta<Record<string, string>>(key);
  if (known !== undefined && blobs.every((b) => typeof known[b] === "string")) return new Map(Object.entries(known));
  const sha1s = new Map<string, string>();
  for (const blob of blobs) sha1s.set(blob, await hashBlob(store, blob, "sha1"));
  await store.writeMeta(key, Object.fromEntries(sha1s));
  return sha1s;
}

/** The packages an SBOM's image came from: how to read their manifests, and what names them. */
export interface SbomSources {
  /**
   * The packages' manifests, each kept only as `keep` returns it once read: the SBOM needs a
   * small part of each (ffmpeg's SBOM made alone: 76.5 MB at the peak against 78.3 with
   * its 234 manifests held whole).
   */
  manifests(keep: (manifest: PackageManifest) => PackageManifest): Promise<readonly { name: string; manifest: PackageManifest }[]>;
  /** The plan's step ids of the tree and of the unpacked packages: digests of what they hold. */
  readonly ids: readonly string[];
}

/**
 * Gathers what the SBOM says from the build's results (the tree, the image's digests, the
 * packages' manifests) and the cache (file bytes for SHA1, copyright files), and returns the
 * SPDX document's bytes. Only packages that put a file or link into the image are listed.
 * What does not depend on the image's digests (the packages, licenses and files: most of the
 * work and of the text) is kept in the cache under the digest of what it was made from, so a
 * build whose image changed but whose files did not (a new `args` or `env`) joins it to the
 * image's part without reading a package manifest or a copyright file again.
 */
export async function sbomOf(
  params: SbomStepParams,
  tree: TreeResult,
  image: { manifest: string; layers: readonly { digest: string; diffId: string }[] },
  sources: SbomSources,
  store: BlobStore,
): Promise<Buffer> {
  // The version changes when the kept text would (as PLAN_VERSION does for step results);
  // params.tool names mcc's version; the step ids stand for the tree and the packages (v1
  // hashed the tree itself: 3-5 ms for python3's 812 files).
  const key = `sbom files v2 ${createHash("sha256").update(JSON.stringify({ params, layers: image.layers.length, ids: sources.ids })).digest("hex")}`;
  const known = await store.readMeta<SpdxFilesText>(key);
  const releaseVersion = RELEASE_VERSIONS[params.release];
  const input = { name: params.name, tag: params.tag, arch: params.arch, release: params.release, ...(releaseVersion === undefined ? {} : { releaseVersion }), epoch: params.epoch, tool: params.tool, image };
  if (known !== undefined && typeof known.packages === "string" && typeof known.rest === "string") return spdxJoin(input, known);
  const files = spdxFilesText({ ...input, layerCount: image.layers.length, ...(await packagesAndFiles(params, tree, await sources.manifests(copyrightPart), store)) });
  await store.writeMeta(key, files);
  return spdxJoin(input, files);
}

/** The packages that put a file or link into the image, with their licenses, and every file with its digests. */
async function packagesAndFiles(
  params: SbomStepParams,
  tree: TreeResult,
  manifests: readonly { name: string; manifest: PackageManifest }[],
  store: BlobStore,
): Promise<{ packages: SbomPackage[]; files: SbomFile[] }> {
  const reasons = new Map(tree.reasons);
  const contributing = new Set(tree.entries.flatMap((e) => (e.kind === "directory" ? [] : [e.pkg])));
  const files: SbomFile[] = [];
  const sha1s = await blobSha1s(tree, store);
  for (const e of tree.entries) {
    if (e.kind !== "file") continue;
    const sha256 = "blob" in e.source ? e.source.blob : createHash("sha256").update(e.source.bytes).digest("hex");
    const sha1 = "blob" in e.source ? (sha1s.get(e.source.blob) as string) : createHash("sha1").update(e.source.bytes).digest("hex");
    const comment = e.pkg === "(mcc)" ? `written by mcc: ${whyOf(reasons.get(e.path))}` : e.pkg === "(spec)" ? "added by the spec's files" : undefined;
    files.push({ path: e.path, sha256, sha1, pkg: e.pkg, ...(comment === undefined ? {} : { comment }) });
  }
  const docs = docFiles(manifests);
  const listed = params.packages.filter((p) => contributing.has(p.name));
  // The copyright files read at once; their licenses worked out in the packages' order.
  const contents = packageFiles(store, manifests.map((m) => m.manifest));
  const copyrights = await Promise.all(listed.map((p) => copyrightOf(p.name, docs, contents)));
  const packages: SbomPackage[] = listed.map((p, i) => {
    const license = packageLicense(copyrights[i]);
    return { ...p, license: license.expression, extracted: license.extracted };
  });
  return { packages, files };
}

function whyOf(reasons: readonly Reason[] | undefined): string {
  const r = reasons?.[0];
  if (r === undefined) return "the microcontainer layout";
  return r.kind === "rule" ? r.why : r.kind;
}

/**
 * `/usr/share/doc/<pkg>/copyright` from the package's own files; when the doc directory is a
 * link to another package's (libgcc-s1 -> gcc-12-base), that package's copyright file.
 */
async function copyrightOf(name: string, docs: DocFiles, contents: FileContents): Promise<string | undefined> {
  let dir = `/usr/share/doc/${name}`;
  for (let hops = 0; hops < 4; hops++) {
    const file = docs.files.get(`${dir}/copyright`);
    if (file !== undefined) return new TextDecoder().decode(await contents.read(file));
    const target = docs.links.get(dir);
    if (target === undefined) return undefined;
    dir = posix.resolve(posix.dirname(dir), target);
  }
  return undefined;
}

/**
 * What `copyrightOf` may read of a manifest: its links (a doc directory may be one) and its
 * files named `copyright`, with where their bytes lie. The same answers as the whole manifest.
 */
export function copyrightPart(manifest: PackageManifest): PackageManifest {
  const entries = manifest.entries.filter((e) => e.kind === "symlink" || (e.kind === "file" && e.path.endsWith("/copyright")));
  if (manifest.pack === undefined) return { ...manifest, entries };
  const files: Record<string, readonly [number, number]> = {};
  for (const e of entries) {
    const place = e.kind === "file" ? manifest.pack.files[e.sha256] : undefined;
    if (e.kind === "file" && place !== undefined) files[e.sha256] = place;
  }
  return { ...manifest, entries, pack: { sha256: manifest.pack.sha256, files } };
}

interface DocFiles {
  /** Path -> blob of the first package (in the manifests' order) with a file there. */
  readonly files: ReadonlyMap<string, string>;
  /** Path -> target of the first symlink there. */
  readonly links: ReadonlyMap<string, string>;
}

/** The packages' files and links by path, found once for every package's lookup. */
function docFiles(manifests: readonly { manifest: PackageManifest }[]): DocFiles {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  for (const { manifest } of manifests) {
    for (const e of manifest.entries) {
      if (e.kind === "file" && !files.has(e.path)) files.set(e.path, e.sha256);
      else if (e.kind === "symlink" && !links.has(e.path)) links.set(e.path, e.target);
    }
  }
  return { files, links };
}
