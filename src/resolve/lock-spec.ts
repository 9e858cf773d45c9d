import { dirname } from "node:path";
import { createBlobStore } from "../cache/store.js";
import { diagnosticAt, diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Host } from "../host/host.js";
import { loadArchive, type ArchiveEvents } from "../source/archive.js";
import { archiveBases } from "../source/bases.js";
import { loadKeyring } from "../source/keyring.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { LocalPackage, Spec } from "../types/spec.js";
import { readLocalDeb } from "../source/local-deb.js";
import { joinUniverses, universeOf, type PackageRecord } from "../source/packages-index.js";
import { locate } from "../diagnostics/locate.js";
import { lockedArch, lockPathFor, LOCK_VERSION, parseLock, resolutionInputs, serializeLock, type LockedArch, type LockFile } from "./lock.js";
import { resolveBootPackages } from "./boot-packages.js";
import { bootNetwork } from "../boot/init-plan.js";
import { resolvePackages, type PackageRequest, type ResolveProblem } from "./resolver.js";
import { inferPackages, needPaths, neededNames, type InferenceProblem } from "./infer.js";
import { needKey, specFileNeeds, type SpecFileNeeds } from "./needs.js";
import { loadContents } from "../source/contents.js";
import { mergedUsrPath } from "../debian/merged-usr.js";

export interface LockOptions {
  readonly cacheRoot: string;
  /** Resolve again even when the lock is current. */
  readonly update: boolean;
  /** Only check: a missing or stale lock is an error, and nothing is written. */
  readonly frozen: boolean;
  /**
   * Resolve again and compare with the lock, writing nothing: `stale` when the archive (or
   * the spec) now gives another set, for a CI job that opens a refresh.
   */
  readonly check?: boolean;
  readonly offline: boolean;
  readonly allowExpired: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly events?: ArchiveEvents;
  /**
   * False when the spec was changed for this run only (`--arch` naming an architecture the
   * spec does not list): the resolution is used but the lock file is left as it is.
   */
  readonly persist?: boolean;
}

export type LockOutcome =
  | {
      readonly status: "current" | "written" | "unchanged" | "transient" | "stale";
      readonly path: string;
      readonly lock: LockFile;
      /** The lock file that was there before, when it could be read. */
      readonly previous?: LockFile;
      /** A lock was there but did not match the spec (it was resolved again). */
      readonly wasStale: boolean;
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly status: "failed"; readonly path: string; readonly diagnostics: readonly Diagnostic[] };

/**
 * `mcc lock`: resolves the spec's packages against the verified archive and writes the lock
 * beside the spec, unless the lock there is already current. Resolution problems are
 * diagnostics at the spec's `packages` entries; failures of the outside world throw a
 * SourceError.
 */
export async function lockSpec(host: Host, spec: Spec, ast: SpecAst, specPath: string, options: LockOptions): Promise<LockOutcome> {
  const path = lockPathFor(specPath);
  const specDir = dirname(specPath);
  // Local .debs are read first: their content is part of what the lock must match.
  const locals = new Map<number, PackageRecord>();
  const localProblems: Diagnostic[] = [];
  for (const [index, p] of spec.packages.entries()) {
    if (!("deb" in p)) continue;
    const read = await readLocalDeb(host, specDir, p.deb);
    if ("problem" in read) localProblems.push(diagnosticAt(ast.source, locate(ast, childPointer("/packages", index)), "MCC327", { value: p.deb, reason: read.problem }));
    else locals.set(index, read.record);
  }
  if (localProblems.length > 0) return { status: "failed", path, diagnostics: localProblems };
  // What the spec's own files need, per architecture: part of what the lock must match.
  const needsByArch = new Map<string, SpecFileNeeds>();
  for (const arch of spec.from.archs) needsByArch.set(arch, await specFileNeeds(host, spec, specDir, arch));
  const needKeys = [...new Set([...needsByArch].flatMap(([arch, n]) => n.needs.map((need) => `${arch} ${needKey(need)}`)))].sort();
  const inputs = resolutionInputs(spec, new Map([...locals].map(([i, r]) => [(spec.packages[i] as LocalPackage).deb, r.sha256])), needKeys);
  const existingText = await readText(host, path);
  const existing = existingText === undefined ? undefined : parseLock(existingText);
  const current = existing !== undefined && existing.inputs === inputs;

  if (options.frozen) {
    if (existing === undefined) return { status: "failed", path, diagnostics: [diagnosticForFile(specPath, "MCC410", { path })] };
    if (!current) return { status: "failed", path, diagnostics: [diagnosticForFile(specPath, "MCC411", { path })] };
    return { status: "current", path, lock: existing, wasStale: false, diagnostics: [] };
  }
  if (current && !options.update && !options.check) return { status: "current", path, lock: existing, wasStale: false, diagnostics: [] };
  const wasStale = existing !== undefined && !current;

  const { keyring } = await loadKeyring(host, spec.from.keyring, specDir);
  const { mirror, security } = await archiveBases(host, spec, options.env);
  const store = createBlobStore(host, options.cacheRoot);
  const archs: Record<string, LockedArch> = {};
  const diagnostics: Diagnostic[] = [];
  for (const arch of spec.from.archs) {
    const archive = await loadArchive(
      host,
      {
        mirror,
        security,
        release: spec.from.release,
        components: spec.from.components,
        arch,
        keyring,
        now: host.now(),
        allowExpired: options.allowExpired,
        offline: options.offline,
      },
      store,
      options.events,
    );
    // A local package is one more candidate, asked for by its exact name and version.
    const usable = [...locals].filter(([index, record]) => {
      if (record.arch === arch || record.arch === "all") return true;
      diagnostics.push(diagnosticAt(ast.source, locate(ast, childPointer("/packages", index)), "MCC327", { value: (spec.packages[index] as LocalPackage).deb, reason: `is built for ${record.arch}, not ${arch}` }));
      return false;
    });
    const requests: PackageRequest[] = spec.packages.flatMap((p, index) => {
      if (!("deb" in p)) return [{ ...p, index }];
      const local = usable.find(([i]) => i === index)?.[1];
      return local === undefined ? [] : [{ name: local.name, version: local.version, index }];
    });
    const candidates = joinUniverses([universeOf(usable.map(([, r]) => r)), archive.packages]);
    let resolution = resolvePackages(candidates, requests, arch);
    // The packages the spec's own files need, from the Contents index, until none is missing.
    const own = needsByArch.get(arch) as SpecFileNeeds;
    const unmet = own.needs.filter((n) => !needPaths(n).some((p) => own.paths.has(mergedUsrPath(p))));
    if (resolution.problems.length === 0 && unmet.length > 0) {
      const contents = await loadContents(host, store, archive.releases.filter((r) => !r.suite.endsWith("-security")), { components: spec.from.components, arch, offline: options.offline, names: neededNames(unmet) }, options.events);
      for (let round = 0; round < 8; round++) {
        const inference = inferPackages(unmet, contents, new Set(resolution.packages.map((p) => p.record.name)), own.paths);
        for (const problem of inference.problems) diagnostics.push(inferenceDiagnostic(problem, ast, arch, spec.from.archs.length > 1));
        if (inference.add.size === 0) break;
        if (!spec.from.infer) {
          for (const [name, { why, entry }] of inference.add) diagnostics.push(diagnosticAt(ast.source, locate(ast, childPointer("/files", entry)), "MCC406", { what: why, name }));
          break;
        }
        requests.push(...[...inference.add].map(([name, { why }]) => ({ name, index: -1, why })));
        resolution = resolvePackages(candidates, requests, arch);
        if (resolution.problems.length > 0 || inference.problems.length > 0) break;
      }
    }
    for (const problem of resolution.problems) diagnostics.push(problemDiagnostic(problem, ast, arch, spec.from.archs.length > 1));
    const boot = spec.boot === undefined ? undefined : resolveBootPackages(archive.packages, spec.boot, arch, bootNetwork(spec).kind === "dhcp");
    for (const problem of boot?.problems ?? []) {
      const at = locate(ast, problem.role === "kernel" && spec.boot?.kernel !== undefined ? "/boot/kernel" : "/boot");
      diagnostics.push(diagnosticAt(ast.source, at, "MCC400", { name: problem.name, on: spec.from.archs.length > 1 ? ` (${arch})` : "", suggestion: "" }, problem.role === "kernel" ? "boot.kernel names a Debian kernel package such as linux-image-cloud-amd64" : "the bootloader packages are part of the release's main component"));
    }
    const securityBase = archive.indexes.find((i) => i.suite.endsWith("-security"))?.base;
    archs[arch] = lockedArch(resolution.packages, archive.indexes, securityBase, boot?.packages);
  }
  if (diagnostics.length > 0) return { status: "failed", path, diagnostics };

  const lock: LockFile = { lockVersion: LOCK_VERSION, inputs, release: spec.from.release, archs };
  const text = serializeLock(lock);
  const before = existing === undefined ? {} : { previous: existing };
  if (text === existingText) return { status: options.check ? "current" : "unchanged", path, lock, wasStale, diagnostics: [], ...before };
  if (options.check) return { status: "stale", path, lock, wasStale, diagnostics: [], ...before };
  if (options.persist === false) return { status: "transient", path, lock, wasStale, diagnostics: [], ...before };
  await host.writeFileAtomic(path, text);
  return { status: "written", path, lock, wasStale, diagnostics: [], ...before };
}

function problemDiagnostic(problem: ResolveProblem, ast: SpecAst, arch: string, several: boolean): Diagnostic {
  // A package found for the spec's own files has no entry of its own: the list stands for it.
  const at = locate(ast, problem.request.index < 0 ? "/packages" : childPointer("/packages", problem.request.index));
  const on = several ? ` (${arch})` : "";
  switch (problem.kind) {
    case "unknown":
      return diagnosticAt(ast.source, at, "MCC400", {
        name: problem.request.name,
        on,
        suggestion: problem.suggestion === undefined ? "" : ` (did you mean "${problem.suggestion}"?)`,
      });
    case "version-missing":
      return diagnosticAt(
        ast.source,
        at,
        "MCC401",
        { name: problem.request.name, version: problem.request.version ?? "", on },
        `available: ${problem.available.join(", ")}`,
      );
    case "virtual":
      return diagnosticAt(ast.source, at, "MCC402", { name: problem.request.name, providers: problem.providers.join(", ") });
    case "unsatisfiable":
      return diagnosticAt(ast.source, at, "MCC403", { name: problem.request.name, on, detail: problem.detail }, problem.chain.length > 1 ? `chain: ${problem.chain.join(" -> ")}` : undefined);
  }
}

async function readText(host: Host, path: string): Promise<string | undefined> {
  if ((await host.stat(path))?.kind !== "file") return undefined;
  return new TextDecoder().decode(await host.readFile(path));
}

/** What the Contents index could not settle for one of the spec's own files, at its `files` entry. */
function inferenceDiagnostic(problem: InferenceProblem, ast: SpecAst, arch: string, several: boolean): Diagnostic {
  const at = locate(ast, childPointer("/files", problem.need.entry));
  const on = several ? ` (${arch})` : "";
  const what = problem.need.kind === "file" ? problem.need.path : problem.need.name;
  if (problem.kind === "ambiguous") {
    return diagnosticAt(ast.source, at, "MCC404", { what, by: problem.need.by, path: problem.path, packages: problem.packages.join(", "), on }, "name the one you want in packages");
  }
  const where = problem.need.kind === "search" ? ` in ${problem.need.dirs.join(", ")}` : "";
  return diagnosticAt(ast.source, at, "MCC405", { what, by: problem.need.by, on }, `no package of the release ships it${where}; add it to the spec's files, or name the package that provides it`);
}
