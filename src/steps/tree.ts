import { dpkgStatusFiles, DPKG_STATUS_REASON, type ContributingPackage } from "../assemble/dpkg-status.js";
import { buildImageTree, type ExtraFile, type ImageTree } from "../assemble/image-tree.js";
import { keepPackedFile, packageFiles, type FileContents, type PackageManifest } from "../extract/unpack.js";
import { hashBlob, type BlobStore } from "../cache/store.js";
import { traceExecutable, type TraceProblem, type TraceResult } from "../trace/trace.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import { VirtualRoot } from "../trace/vroot.js";
import { alternativesOf } from "../debian/alternatives.js";
import type { TreeParams } from "../plan/step-params.js";
import type { AssembleSpec } from "../assemble/image-tree.js";
import type { TraceSpec } from "../trace/trace-spec.js";

/** The tree step's parameters as the tracer and the layout read them: nothing else of the spec. */
function treeSpecOf(params: TreeParams, files: AssembleSpec["files"]): TraceSpec & AssembleSpec {
  return {
    executable: params.executable,
    include: params.include,
    exclude: params.exclude,
    env: params.env,
    user: params.user,
    workdir: params.workdir,
    mounts: params.mounts,
    from: { release: params.release },
    files,
    ...(params.links === undefined ? {} : { links: params.links }),
    ...(params.dirs === undefined ? {} : { dirs: params.dirs }),
  };
}

/**
 * Packages and the spec's own files -> virtual root -> traced closure -> image tree, for the
 * tree step's parameters (the spec's files are in the cache by the digests they give); or the
 * problems tracing found. The tree's files are blobs of their own once it is returned (copied
 * out of their packages' packs).
 */
export async function traceAndLayOut(
  params: TreeParams,
  packages: readonly { name: string; manifest: PackageManifest }[],
  store: BlobStore,
): Promise<{ tree: ImageTree; trace: TraceResult; root: VirtualRoot; closureBytes: number } | { problems: readonly TraceProblem[] }> {
  const files: AssembleSpec["files"][number][] = [];
  for (const f of params.files) {
    const size = f.sha256 === null ? undefined : await store.sizeOf(f.sha256);
    if (f.sha256 === null || size === undefined) throw new Error(`the cache has no content for the spec's file ${f.path}`);
    files.push({ ...f, sha256: f.sha256, size });
  }
  const spec = treeSpecOf(params, files);
  const root = new VirtualRoot(packages, spec);
  const contents = packageFiles(store, packages.map((p) => p.manifest));
  const trace = await traceExecutable({
    spec,
    arch: params.arch,
    root,
    packages: new Set(packages.map((p) => p.name)),
    alternatives: alternativesOf(await postinstsOf(packages, contents)),
    readBlob: (sha) => contents.read(sha),
    openBlob: (sha) => contents.openRandom(sha),
  });
  if (trace.problems.length > 0) return { problems: trace.problems };
  const closureBytes = packages.reduce((n, p) => n + p.manifest.entries.reduce((m, e) => m + (e.kind === "file" ? e.size : 0), 0), 0);
  const extra = params.dpkgStatus ? await dpkgStatusOf(spec, trace, packages, contents) : [];
  const tree = buildImageTree(spec, trace, extra);
  for (const e of tree.entries) if (e.kind === "file" && "blob" in e.source) await keepPackedFile(store, contents, e.source.blob, e.size);
  return { tree, trace, root, closureBytes };
}

/** The scanners' dpkg records for the packages that put something into the image. */
async function dpkgStatusOf(
  spec: AssembleSpec,
  trace: TraceResult,
  packages: readonly { name: string; manifest: PackageManifest }[],
  contents: FileContents,
): Promise<ExtraFile[]> {
  const replaced = new Set([...spec.files, ...(spec.links ?? [])].map((f) => mergedUsrPath(f.path)));
  const keptBy = new Map<string, string>();
  for (const [path, kept] of trace.kept) if (!replaced.has(path)) keptBy.set(path, kept.node.pkg);
  const owners = new Set(keptBy.values());
  const md5Of = new Map<string, string>();
  const contributing: ContributingPackage[] = [];
  for (const { name, manifest } of packages) {
    if (!owners.has(name)) continue;
    const controlSha = manifest.control["control"];
    if (controlSha === undefined) continue;
    const conffileSha = manifest.control["conffiles"];
    const conffilePaths = new Set(conffileSha === undefined ? [] : new TextDecoder().decode(await contents.read(conffileSha)).split("\n").map((l) => l.trim()).filter(Boolean));
    const kept: { path: string; md5: string }[] = [];
    const conffiles: { path: string; md5: string }[] = [];
    for (const entry of manifest.entries) {
      if (entry.kind !== "file" && entry.kind !== "hardlink") continue;
      const merged = mergedUsrPath(entry.path);
      if (keptBy.get(merged) !== name) continue;
      const node = trace.kept.get(merged)?.node;
      if (node?.kind !== "file") continue;
      let md5 = md5Of.get(node.sha256);
      if (md5 === undefined) {
        md5 = await hashBlob(contents, node.sha256, "md5");
        md5Of.set(node.sha256, md5);
      }
      if (conffilePaths.has(entry.path)) conffiles.push({ path: entry.path, md5 });
      else kept.push({ path: entry.path.replace(/^\//, ""), md5 });
    }
    contributing.push({ name, control: new TextDecoder().decode(await contents.read(controlSha)), files: kept, conffiles });
  }
  const encoder = new TextEncoder();
  return dpkgStatusFiles(contributing).map((f) => ({ path: f.path, content: encoder.encode(f.content), reason: DPKG_STATUS_REASON }));
}

/** The packages' postinst scripts, read from the cache. */
async function postinstsOf(packages: readonly { manifest: PackageManifest }[], contents: FileContents): Promise<string[]> {
  const scripts: string[] = [];
  for (const { manifest } of packages) {
    const postinst = manifest.control["postinst"];
    if (postinst !== undefined) scripts.push(new TextDecoder().decode(await contents.read(postinst)));
  }
  return scripts;
}
