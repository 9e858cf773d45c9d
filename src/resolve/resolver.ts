import { formatRelation, parseRelations, type Relation, type RelationGroup } from "../debian/relations.js";
import { compareVersions, satisfiesVersion } from "../debian/version.js";
import type { PackageRecord, PackageUniverse } from "../source/packages-index.js";
import { didYouMean } from "../diagnostics/did-you-mean.js";

/** A package the spec asks for, with its index in `packages` for diagnostics. */
export interface PackageRequest {
  readonly name: string;
  readonly version?: string;
  /** The `packages` entry it comes from; -1 for a package found for the spec's own files. */
  readonly index: number;
  /** For a package found for the spec's own files: what needs it. */
  readonly why?: string;
}

/** A package in the resolved set, and why it is there. */
export interface Resolved {
  readonly record: PackageRecord;
  /** `requested`, or the package and relation that pulled it in. */
  readonly reason: { readonly kind: "requested" } | { readonly kind: "inferred"; readonly why: string } | { readonly kind: "dependency"; readonly of: string; readonly relation: string };
}

export type ResolveProblem =
  | { readonly kind: "unknown"; readonly request: PackageRequest; readonly suggestion?: string }
  | { readonly kind: "version-missing"; readonly request: PackageRequest; readonly available: readonly string[] }
  | { readonly kind: "virtual"; readonly request: PackageRequest; readonly providers: readonly string[] }
  | { readonly kind: "unsatisfiable"; readonly request: PackageRequest; readonly chain: readonly string[]; readonly detail: string };

export interface Resolution {
  /** Sorted by name. Empty when there are problems. */
  readonly packages: readonly Resolved[];
  readonly problems: readonly ResolveProblem[];
}

/** apt's order among providers of a virtual package: by priority, then by name. */
const PRIORITY_RANK: Record<string, number> = { required: 0, important: 1, standard: 2, optional: 3, extra: 4 };

/**
 * Resolves the requested packages and their `Pre-Depends` and `Depends`, as apt does for an
 * empty system with `--no-install-recommends`: each package's candidate is its highest
 * version across the suites; for each dependency group the first alternative that is
 * already chosen wins, else the first whose candidate satisfies it (a real package before
 * the providers of a virtual one). Pure and deterministic: the same records and requests give
 * the same answer. Nothing is added that nothing depends on, so `Essential` packages come in
 * only when needed. Conflicts and Breaks are not considered: nothing is installed, files are.
 */
export function resolvePackages(universe: PackageUniverse, requests: readonly PackageRequest[], arch: string): Resolution {
  // Each name's versions for this architecture, highest first (the first is its candidate),
  // and each virtual name's providers: looked up when a resolution first asks, never for the
  // whole release.
  const versionsCache = new Map<string, readonly PackageRecord[] | undefined>();
  const versionsOf = (name: string): readonly PackageRecord[] | undefined => {
    if (versionsCache.has(name)) return versionsCache.get(name);
    const list: PackageRecord[] = [];
    for (const r of universe.named(name)) {
      if (r.arch !== arch && r.arch !== "all") continue;
      if (!list.some((x) => x.version === r.version && x.arch === r.arch)) list.push(r);
    }
    list.sort((a, b) => compareVersions(b.version, a.version));
    const found = list.length === 0 ? undefined : list;
    versionsCache.set(name, found);
    return found;
  };
  const providersCache = new Map<string, readonly Provider[]>();
  /** The candidates that provide a name (a provider's own older versions never do), apt's order. */
  const providersOf = (name: string): readonly Provider[] => {
    const known = providersCache.get(name);
    if (known !== undefined) return known;
    const ps: Provider[] = [];
    for (const record of universe.providing(name)) {
      if (versionsOf(record.name)?.[0] !== record) continue;
      for (const p of record.provides) if (p.name === name) ps.push({ record, ...(p.version?.relation === "=" ? { version: p.version.version } : {}) });
    }
    ps.sort((a, b) => rank(a.record) - rank(b.record) || (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
    providersCache.set(name, ps);
    return ps;
  };

  const selected = new Map<string, Resolved>();
  const problems: ResolveProblem[] = [];

  const satisfiedBySelected = (rel: Relation): boolean => {
    const real = selected.get(rel.name);
    if (real !== undefined && (rel.version === undefined || satisfiesVersion(real.record.version, rel.version.relation, rel.version.version))) return true;
    return providersOf(rel.name).some(
      (p) => selected.get(p.record.name)?.record === p.record && providesVersion(p.version, rel),
    );
  };

  /** The package that would satisfy a relation: the real candidate, else the first fitting provider. */
  const chooseFor = (rel: Relation): PackageRecord | undefined => {
    const candidate = versionsOf(rel.name)?.[0];
    if (candidate !== undefined && (rel.version === undefined || satisfiesVersion(candidate.version, rel.version.relation, rel.version.version))) {
      return candidate;
    }
    return providersOf(rel.name).find((p) => providesVersion(p.version, rel))?.record;
  };

  const explain = (rel: Relation): string => {
    const candidate = versionsOf(rel.name)?.[0];
    if (candidate !== undefined) return `only ${candidate.version} is available`;
    const ps = providersOf(rel.name);
    if (ps.length > 0) return `it is a virtual package, and no provider (${ps.map((p) => p.record.name).join(", ")}) satisfies the version`;
    return "no package of that name exists";
  };

  const expanded = new Set<string>();

  // Depth-first, in the order the spec and the control files give: deterministic.
  const expand = (record: PackageRecord, request: PackageRequest, chain: readonly string[]): boolean => {
    if (expanded.has(record.name)) return true;
    expanded.add(record.name);
    const here = [...chain, `${record.name} ${record.version}`];
    for (const group of [...parseRelations(record.preDepends), ...parseRelations(record.depends)] as RelationGroup[]) {
      if (group.some(satisfiedBySelected)) continue;
      const wanted = group.map(formatRelation).join(" | ");
      let chosen: PackageRecord | undefined;
      for (const rel of group) {
        chosen = chooseFor(rel);
        if (chosen !== undefined) break;
      }
      if (chosen === undefined) {
        const detail = `${record.name} ${record.version} depends on ${wanted}, but ${group.map((rel) => `for ${rel.name} ${explain(rel)}`).join("; ")}`;
        problems.push({ kind: "unsatisfiable", request, chain: here, detail });
        return false;
      }
      const already = selected.get(chosen.name);
      if (already !== undefined) {
        // The name is taken by another version (a pin, or an earlier choice) that does not fit.
        const detail = `${record.name} ${record.version} depends on ${wanted}, but ${already.record.name} ${already.record.version} is ${already.reason.kind === "requested" ? "pinned by the spec" : "already chosen"}`;
        problems.push({ kind: "unsatisfiable", request, chain: here, detail });
        return false;
      }
      selected.set(chosen.name, { record: chosen, reason: { kind: "dependency", of: record.name, relation: wanted } });
      if (!expand(chosen, request, here)) return false;
    }
    return true;
  };

  // First every requested package as asked (so pins hold), then their dependencies.
  const roots: { record: PackageRecord; request: PackageRequest }[] = [];
  for (const request of requests) {
    const versions = versionsOf(request.name);
    let record: PackageRecord | undefined;
    if (versions === undefined) {
      const ps = providersOf(request.name);
      if (ps.length === 1 && request.version === undefined) {
        record = (ps[0] as { record: PackageRecord }).record;
      } else if (ps.length > 1) {
        problems.push({ kind: "virtual", request, providers: ps.map((p) => p.record.name) });
        continue;
      } else {
        const suggestion = didYouMean(request.name, [...universe.names()]);
        problems.push({ kind: "unknown", request, ...(suggestion === undefined ? {} : { suggestion }) });
        continue;
      }
    } else {
      record = request.version === undefined ? versions[0] : versions.find((v) => compareVersions(v.version, request.version as string) === 0);
      if (record === undefined) {
        problems.push({ kind: "version-missing", request, available: versions.map((v) => v.version) });
        continue;
      }
    }
    if (record === undefined || selected.has(record.name)) continue;
    selected.set(record.name, { record, reason: request.why === undefined ? { kind: "requested" } : { kind: "inferred", why: request.why } });
    roots.push({ record, request });
  }
  for (const { record, request } of roots) expand(record, request, []);

  if (problems.length > 0) return { packages: [], problems };
  const packages = [...selected.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
  return { packages, problems };
}

interface Provider {
  readonly record: PackageRecord;
  /** The version it provides, when it says `(= version)`. */
  readonly version?: string;
}

function rank(r: PackageRecord): number {
  return PRIORITY_RANK[r.priority] ?? 5;
}

function providesVersion(provided: string | undefined, rel: Relation): boolean {
  if (rel.version === undefined) return true;
  return provided !== undefined && satisfiesVersion(provided, rel.version.relation, rel.version.version);
}
