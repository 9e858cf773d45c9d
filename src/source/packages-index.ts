import type { Relation } from "../debian/relations.js";

/** One binary package of a Packages index: what the resolver and the fetcher need. */
export interface PackageRecord {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly multiArch: "no" | "same" | "foreign" | "allowed";
  readonly essential: boolean;
  /** required, important, standard, optional, extra; apt's tie-breaker among providers. */
  readonly priority: string;
  /** The `Pre-Depends` and `Depends` fields as written; parsed only for the packages a resolution visits. */
  readonly preDepends: string;
  readonly depends: string;
  readonly provides: readonly Relation[];
  /** The pool path, relative to the archive base. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  /** The source package name (and version when it differs), for SBOMs and scanners. */
  readonly source: string;
  /** Which archive and suite listed it. */
  readonly base: string;
  readonly suite: string;
}

/**
 * The packages a resolution may choose from, answering by name: every record of a name in
 * the order its sources list them (a local package, then the release, its -updates and
 * -security suites), and every record whose Provides names it. An array of records and the
 * cache's compact indexes (package-catalog.ts) both answer this way.
 */
export interface PackageUniverse {
  named(name: string): readonly PackageRecord[];
  providing(name: string): readonly PackageRecord[];
  /** Every package name, for suggestions. */
  names(): Iterable<string>;
}

/** Records held in memory as a universe (local packages, tests). */
export function universeOf(records: readonly PackageRecord[]): PackageUniverse {
  const byName = new Map<string, PackageRecord[]>();
  const providing = new Map<string, PackageRecord[]>();
  for (const r of records) {
    let list = byName.get(r.name);
    if (list === undefined) byName.set(r.name, (list = []));
    list.push(r);
    for (const p of new Set(r.provides.map((x) => x.name))) {
      let ps = providing.get(p);
      if (ps === undefined) providing.set(p, (ps = []));
      ps.push(r);
    }
  }
  return { named: (name) => byName.get(name) ?? [], providing: (name) => providing.get(name) ?? [], names: () => byName.keys() };
}

/** Several universes as one, in the order given: the first's records of a name come first. */
export function joinUniverses(parts: readonly PackageUniverse[]): PackageUniverse {
  if (parts.length === 1) return parts[0] as PackageUniverse;
  return {
    named: (name) => parts.flatMap((p) => p.named(name)),
    providing: (name) => parts.flatMap((p) => p.providing(name)),
    *names() {
      const seen = new Set<string>();
      for (const p of parts) for (const n of p.names()) if (!seen.has(n)) (seen.add(n), yield n);
    },
  };
}
