import { posix } from "node:path";
import { createHash } from "node:crypto";
import { dpkgStatusFiles, DPKG_STATUS_REASON, type ContributingPackage } from "../assemble/dpkg-status.js";
import { buildImageTree, type ExtraFile, type ImageTree } from "../assemble/image-tree.js";
import { createBlobStore, type BlobStore } from "../cache/store.js";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { unpackDeb, type PackageManifest } from "../extract/unpack.js";
import type { Host } from "../host/host.js";
import type { LockFile } from "../resolve/lock.js";
import { archiveBases } from "../source/bases.js";
import { fetchPackages, type FetchEvents } from "../source/fetch-packages.js";
import { traceExecutable, type TraceProblem, type TraceResult } from "../trace/trace.js";
import { mergedUsrPath, VirtualRoot } from "../trace/vroot.js";
import { readAlternatives } from "./alternatives.js";
import { readSpecFiles } from "./spec-files.js";
import type { SpecAst } from "../types/ast.js";
import type { Spec } from "../types/spec.js";
import { locate } from "../validate/locate.js";

export interface BuiltTree {
  readonly arch: string;
  readonly tree: ImageTree;
  readonly trace: TraceResult;
  readonly store: BlobStore;
  readonly root: VirtualRoot;
  /** Bytes of every file of every package of the closure, for size comparisons. */
  readonly closureBytes: number;
}

/**
 * Lock -> packages in the cache -> virtual root -> traced closure -> image tree, for one
 * architecture. Problems of tracing are diagnostics at the spec's `executable`.
 */
export async function buildTree(
  host: Host,
  spec: Spec,
  ast: SpecAst,
  lock: LockFile,
  arch: string,
  options: { specPath: string; cacheRoot: string; offline: boolean; env: Readonly<Record<string, string | undefined>>; events?: FetchEvents },
): Promise<{ built?: BuiltTree; diagnostics: Diagnostic[] }> {
  const locked = lock.archs[arch];
  if (locked === undefined) throw new Error(`the lock has no ${arch} packages`);
  const store = createBlobStore(options.cacheRoot);
  const bases = await archiveBases(host, spec, options.env);
  await fetchPackages(locked.packages, bases, store, { parallel: 4, offline: options.offline }, options.events);
  const packages: { name: string; manifest: PackageManifest }[] = [];
  for (const pkg of locked.packages) packages.push({ name: pkg.name, manifest: await unpackDeb(store, pkg.sha256) });
  const files = await readSpecFiles(host, spec, options.specPath);
  const laid = await traceAndLayOut(spec, arch, packages, store, files);
  if ("problems" in laid) return { diagnostics: laid.problems.map((p) => problemDiagnostic(p, ast)) };
  return { built: { arch, store, ...laid }, diagnostics: [] };
}

/** Packages -> virtual root -> traced closure -> image tree; or the problems tracing found. */
export async function traceAndLayOut(
  spec: Spec,
  arch: string,
  packages: readonly { name: string; manifest: PackageManifest }[],
  store: BlobStore,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<{ tree: ImageTree; trace: TraceResult; root: VirtualRoot; closureBytes: number } | { problems: readonly TraceProblem[] }> {
  const root = new VirtualRoot(packages);
  const trace = await traceExecutable({
    spec,
    arch,
    root,
    packages: new Set(packages.map((p) => p.name)),
    alternatives: await readAlternatives(packages, store),
    readBlob: (sha) => store.read(sha),
  });
  if (trace.problems.length > 0) return { problems: trace.problems };
  const closureBytes = packages.reduce((n, p) => n + p.manifest.entries.reduce((m, e) => m + (e.kind === "file" ? e.size : 0), 0), 0);
  const extra = spec.metadata.dpkgStatus ? await dpkgStatusOf(spec, trace, packages, store) : [];
  return { tree: buildImageTree(spec, trace, files, extra), trace, root, closureBytes };
}

/** The scanners' dpkg records for the packages that put something into the image. */
async function dpkgStatusOf(
  spec: Spec,
  trace: TraceResult,
  packages: readonly { name: string; manifest: PackageManifest }[],
  store: BlobStore,
): Promise<ExtraFile[]> {
  const replaced = new Set(spec.files.map((f) => mergedUsrPath(f.path)));
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
    const conffilePaths = new Set(conffileSha === undefined ? [] : new TextDecoder().decode(await store.read(conffileSha)).split("\n").map((l) => l.trim()).filter(Boolean));
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
        md5 = createHash("md5").update(await store.read(node.sha256)).digest("hex");
        md5Of.set(node.sha256, md5);
      }
      if (conffilePaths.has(entry.path)) conffiles.push({ path: entry.path, md5 });
      else kept.push({ path: entry.path.replace(/^\//, ""), md5 });
    }
    contributing.push({ name, control: new TextDecoder().decode(await store.read(controlSha)), files: kept, conffiles });
  }
  const encoder = new TextEncoder();
  return dpkgStatusFiles(contributing).map((f) => ({ path: f.path, content: encoder.encode(f.content), reason: DPKG_STATUS_REASON }));
}

export function problemDiagnostic(problem: TraceProblem, ast: SpecAst): Diagnostic {
  const at = locate(ast, "/executable");
  switch (problem.kind) {
    case "executable-missing":
      return diagnosticAt(ast.source, at, "MCC500", { path: problem.path }, problem.suggestions.length > 0 ? `the packages have: ${problem.suggestions.join(", ")}` : "add the package that ships it to packages");
    case "library-missing":
      return diagnosticAt(ast.source, at, "MCC501", { name: problem.name, by: problem.by }, `searched ${problem.searched.join(":")}; add the package that ships ${problem.name}`);
    case "interpreter-missing":
      return diagnosticAt(ast.source, at, "MCC502", { path: problem.path, by: problem.by }, `add the package that ships ${posix.basename(problem.path)}`);
    case "bad-elf":
      return diagnosticAt(ast.source, at, "MCC503", { path: problem.path, message: problem.message });
  }
}
