import { createHash } from "node:crypto";
import type { ArchiveEvents, IndexRef } from "../source/archive.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Spec } from "../types/spec.js";
import type { PackageRecord } from "../source/packages-index.js";
import type { Resolved } from "./resolver.js";
import type { PoolFile } from "../source/fetch-packages.js";
import { LOCAL_BASE } from "../source/local-deb.js";

/** The lock format's version; bumped only with a change old mcc releases cannot read. */
export const LOCK_VERSION = 1;

/** One pinned package of a lock file: everything needed to fetch and verify it again. */
/** A package of the lock: the .deb in the pool, and why it is there. */
export interface LockedPackage extends PoolFile {
  readonly source: string;
  readonly suite: string;
  /** `requested`, or `<package>: <relation>` for what pulled it in. */
  readonly reason: string;
}

export interface LockedIndex {
  readonly archive: "mirror" | "security";
  readonly suite: string;
  readonly path: string;
  readonly sha256: string;
  /** The sha256 of the InRelease whose signature covered it. */
  readonly inRelease: string;
}

export interface LockedArch {
  readonly indexes: readonly LockedIndex[];
  readonly packages: readonly LockedPackage[];
  /** The kernel and bootloaders of bootable outputs, without their dependencies; when the spec has `boot`. */
  readonly boot?: readonly LockedPackage[];
}

/**
 * `spec.lock.json`: the resolved set per architecture, the signed indexes it came from, and
 * a digest of the spec's inputs to resolution, so a changed spec is seen as stale. The bytes
 * are a function of the archive state and the spec alone: no dates, no host names.
 */
export interface LockFile {
  readonly lockVersion: typeof LOCK_VERSION;
  /** sha256 of the canonical JSON of the spec's resolution inputs; see `resolutionInputs`. */
  readonly inputs: string;
  readonly release: string;
  readonly archs: Readonly<Record<string, LockedArch>>;
}

/**
 * What decides a resolution: the release, components, architectures and the package list
 * (order included: it orders the search), a local package's content too. Not the mirror or the keyring: any mirror serving
 * the same signed archive gives the same packages, whose sha256 the lock pins anyway.
 */
export function resolutionInputs(spec: Spec, localDigests: ReadonlyMap<string, string> = new Map(), needs: readonly string[] = []): string {
  const inputs = {
    distro: spec.from.distro,
    release: spec.from.release,
    components: spec.from.components,
    archs: spec.from.archs,
    // A local .deb by its path and content: a new build of it makes the lock stale.
    packages: spec.packages.map((p) => ("deb" in p ? `${p.deb}@${localDigests.get(p.deb) ?? ""}` : p.version === undefined ? p.name : `${p.name}=${p.version}`)),
    // Only when present, so that locks of specs without it keep their digest.
    ...(spec.boot === undefined ? {} : { boot: spec.boot.kernel ?? null }),
    // What the spec's own files need decides which packages are found for them.
    ...(needs.length === 0 ? {} : { needs }),
    ...(spec.from.infer ? {} : { infer: false }),
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** Whether a locked package was found for the spec's own files (its reason: `libz.so.1, needed by /app/server`). */
export function foundForSpecFiles(p: LockedPackage): boolean {
  return p.reason.includes(", needed by ");
}

export function lockedArch(
  resolved: readonly Resolved[],
  indexes: readonly IndexRef[],
  securityBase: string | undefined,
  boot?: readonly { record: PackageRecord; reason: string }[],
): LockedArch {
  const archiveOf = (base: string) => (base === LOCAL_BASE ? "local" : securityBase !== undefined && base === securityBase ? "security" : "mirror");
  const locked = (record: PackageRecord, reason: string): LockedPackage => ({
    name: record.name,
    version: record.version,
    arch: record.arch,
    filename: record.filename,
    size: record.size,
    sha256: record.sha256,
    source: record.source,
    archive: archiveOf(record.base),
    suite: record.suite,
    reason,
  });
  return {
    indexes: indexes.map((i) => ({ archive: i.base === securityBase ? "security" : "mirror", suite: i.suite, path: i.path, sha256: i.sha256, inRelease: i.inRelease })),
    packages: resolved.map(({ record, reason }) => locked(record, reason.kind === "requested" ? "requested" : reason.kind === "inferred" ? reason.why : `${reason.of}: ${reason.relation}`)),
    ...(boot === undefined ? {} : { boot: boot.map((b) => locked(b.record, b.reason)) }),
  };
}

/** The lock's bytes: fixed key order by construction, two-space JSON, one trailing newline. */
export function serializeLock(lock: LockFile): string {
  return JSON.stringify(lock, null, 2) + "\n";
}

/** Reads a lock file; undefined when it is not one this mcc understands. */
export function parseLock(text: string): LockFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockFile>;
    if (value.lockVersion !== LOCK_VERSION || typeof value.inputs !== "string" || typeof value.archs !== "object") return undefined;
    return value as LockFile;
  } catch {
    return undefined;
  }
}

/** Where a spec's lock lives: beside it, `name.lock.json` for `name.yml`. */
export function lockPathFor(specPath: string): string {
  return specPath.replace(/\.(ya?ml|mcc)$/i, "") + ".lock.json";
}

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
