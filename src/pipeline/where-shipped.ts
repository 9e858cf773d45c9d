/**
 * Which packages of the release ship the paths a build missed (the executable, an interpreter):
 * asked of the release's Contents index only when a build has failed for want of them, so that
 * the diagnostic names the package to add. A hint is never worth a second failure: when the
 * archive cannot be read (offline, no mirror), there is no hint.
 */
import { posix } from "node:path";
import type { BlobStore } from "../cache/store.js";
import { SourceError } from "../host/errors.js";
import type { Host } from "../host/host.js";
import { needPaths } from "../resolve/infer.js";
import { loadArchive } from "../source/archive.js";
import { archiveBases } from "../source/bases.js";
import { loadContents } from "../source/contents.js";
import { loadKeyring } from "../source/keyring.js";
import type { TraceProblem } from "../trace/trace.js";
import type { Spec } from "../types/spec.js";

export async function whereShipped(
  host: Host,
  store: BlobStore,
  spec: Spec,
  arch: string,
  paths: readonly string[],
  request: { readonly specPath: string; readonly env: Readonly<Record<string, string | undefined>>; readonly offline: boolean },
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (paths.length === 0 || request.offline) return found;
  try {
    const { keyring } = await loadKeyring(host, spec.from.keyring, posix.dirname(request.specPath));
    const bases = await archiveBases(host, spec, request.env);
    const archive = await loadArchive(host, { ...bases, release: spec.from.release, components: spec.from.components, arch, keyring, now: host.now(), allowExpired: true, offline: false }, store);
    const contents = await loadContents(host, store, archive.releases.filter((r) => !r.suite.endsWith("-security")), { components: spec.from.components, arch, offline: false, names: new Set(paths.map((p) => posix.basename(p))) });
    for (const path of paths) {
      const packages = needPaths({ kind: "file", path, by: "", entry: 0 }).flatMap((p) => contents.get(p.slice(1)) ?? []);
      if (packages.length > 0) found.set(path, [...new Set(packages)].sort());
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
  }
  return found;
}

/** The paths of trace problems that a package of the release may ship: a missing executable or interpreter. */
export function missingPaths(problems: readonly TraceProblem[]): string[] {
  return problems.flatMap((p) => (p.kind === "executable-missing" || p.kind === "interpreter-missing" ? [p.path] : []));
}
