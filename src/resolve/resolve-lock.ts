/**
 * The resolving half of `mcc lock` (lock-spec.ts decides whether it is needed): the verified
 * archive of each architecture, the spec's packages resolved against it, the packages its own
 * files need found in the Contents index, the boot packages, then the lock written or compared.
 * Loaded only when a lock is made or checked again, not by a build whose lock is current.
 */
import { createBlobStore } from "../cache/store.js";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Host } from "../host/host.js";
import { loadArchive, type Archive, type InReleaseMemo } from "../source/archive.js";
import { archiveBases } from "../source/bases.js";
import { settledInOrder } from "../concurrency.js";
import { loadKeyring } from "../source/keyring.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { LocalPackage, Spec } from "../types/spec.js";
import { joinUniverses, universeOf, type PackageRecord } from "../source/packages-index.js";
import { locate } from "../diagnostics/locate.js";
import { lockedArch, LOCK_VERSION, serializeLock, type LockedArch, type LockFile, type LockOptions, type LockOutcome } from "./lock.js";
import { resolveBootPackages } from "./boot-packages.js";
import { bootNetwork } from "../boot/init-plan.js";
import { resolvePackages, type PackageRequest, type ResolveProblem } from "./resolver.js";
import { inferPackages, needPaths, neededNames, type InferenceProblem } from "./infer.js";
import type { SpecFileNeeds } from "./needs.js";
import { loadContents } from "../source/contents.js";
import { mergedUsrPath } from "../debian/merged-usr.js";

/** What checking the lock found, which resolving goes on from. */
export interface LockCheck {
  readonly path: string;
  readonly specDir: string;
  /** The spec's local .debs, by their index in `packages`. */
  readonly locals: ReadonlyMap<number, PackageRecord>;
  /** What the spec's own files need, per architecture. */
  readonly needsByArch: ReadonlyMap<string, SpecFileNeeds>;
  /** The lock's `inputs` for this spec. */
  readonly inputs: string;
  readonly existing?: LockFile;
  readonly existingText?: string;
  /** A lock was there but did not match the spec. */
  readonly wasStale: boolean;
}

/** Resolves the spec's packages and writes (or, with `check`, compares) the lock. */
export async function resolveLock(host: Host, spec: Spec, ast: SpecAst, options: LockOptions, checked: LockCheck): Promise<LockOutcome> {
  const { path, specDir, locals, needsByArch, inputs, existing, existingText, wasStale } = checked;

  const { keyring } = await loadKeyring(host, spec.from.keyring, specDir);
  const { mirror, security } = await archiveBases(host, spec, options.env);
  const store = createBlobStore(host, options.cacheRoot);
  const archs: Record<string, LockedArch> = {};
  const diagnostics: Diagnostic[] = [];
  // Every architecture's indexes are read at once (one's download and decoding overlap
  // another's catalog), from one reading of each suite's InRelease; resolved in order.
  const inReleases: InReleaseMemo = new Map();
  const loaded = await settledInOrder(
    spec.from.archs.map((arch) =>
      loadArchive(
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
        inReleases,
      ),
    ),
  );
  for (const [i, arch] of spec.from.archs.entries()) {
    const archive = loaded[i] as Archive;
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
