import { compareVersions } from "../debian/version.js";
import type { LockFile } from "./lock.js";

/** One difference between two locks, for one architecture. */
export type LockChange =
  | { readonly kind: "added"; readonly arch: string; readonly name: string; readonly version: string }
  | { readonly kind: "removed"; readonly arch: string; readonly name: string; readonly version: string }
  | { readonly kind: "upgraded" | "downgraded"; readonly arch: string; readonly name: string; readonly from: string; readonly to: string }
  /** The same version, other bytes (a rebuilt .deb, or another archive's copy). */
  | { readonly kind: "rebuilt"; readonly arch: string; readonly name: string; readonly version: string }
  | { readonly kind: "arch-added" | "arch-removed"; readonly arch: string };

/** What changed from one lock to the next, architecture by architecture, packages by name. Pure. */
export function diffLocks(before: LockFile | undefined, after: LockFile): LockChange[] {
  const changes: LockChange[] = [];
  const archs = [...new Set([...Object.keys(before?.archs ?? {}), ...Object.keys(after.archs)])].sort();
  for (const arch of archs) {
    const old = before?.archs[arch];
    const now = after.archs[arch];
    if (old === undefined && before !== undefined) changes.push({ kind: "arch-added", arch });
    if (now === undefined) {
      changes.push({ kind: "arch-removed", arch });
      continue;
    }
    // The boot packages (kernel, bootloaders) change like any other: a kernel security update is news.
    const was = new Map([...(old?.packages ?? []), ...(old?.boot ?? [])].map((p) => [p.name, p]));
    const is = new Map([...now.packages, ...(now.boot ?? [])].map((p) => [p.name, p]));
    for (const name of [...new Set([...was.keys(), ...is.keys()])].sort()) {
      const a = was.get(name);
      const b = is.get(name);
      if (a === undefined && b !== undefined) changes.push({ kind: "added", arch, name, version: b.version });
      else if (b === undefined && a !== undefined) changes.push({ kind: "removed", arch, name, version: a.version });
      else if (a !== undefined && b !== undefined) {
        if (a.version !== b.version) changes.push({ kind: compareVersions(b.version, a.version) > 0 ? "upgraded" : "downgraded", arch, name, from: a.version, to: b.version });
        else if (a.sha256 !== b.sha256) changes.push({ kind: "rebuilt", arch, name, version: b.version });
      }
    }
  }
  return changes;
}

/** One line per change: `amd64: curl 7.88.1-10+deb12u14 -> 7.88.1-10+deb12u15`. */
export function formatLockChange(change: LockChange): string {
  switch (change.kind) {
    case "added":
      return `${change.arch}: + ${change.name} ${change.version}`;
    case "removed":
      return `${change.arch}: - ${change.name} ${change.version}`;
    case "upgraded":
    case "downgraded":
      return `${change.arch}: ${change.name} ${change.from} -> ${change.to}${change.kind === "downgraded" ? " (older)" : ""}`;
    case "rebuilt":
      return `${change.arch}: ${change.name} ${change.version} (same version, other .deb)`;
    case "arch-added":
      return `${change.arch}: architecture added`;
    case "arch-removed":
      return `${change.arch}: architecture removed`;
  }
}
