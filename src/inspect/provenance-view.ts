import { describeReason } from "../provenance/explain.js";
import type { ProvenanceDocument, ProvenanceFile, ProvenancePackage } from "../provenance/provenance.js";
import type { Reason } from "../trace/trace.js";

/** A reason as inspect prints it: the structured reason and its words. */
export type ReasonView = Reason & { readonly text: string };

/** What inspect knows of one path from the image's provenance. */
export interface PathProvenance {
  readonly package: string;
  readonly reasons: readonly ReasonView[];
  readonly chain: readonly string[];
}

/** The provenance document, indexed for inspect: by path, by package, and why each package is there. */
export interface ProvenanceView {
  readonly byPath: ReadonlyMap<string, PathProvenance>;
  readonly packages: ReadonlyMap<string, ProvenancePackage>;
  /** For each package: the first reason of its file nearest the executable (traced, shortest chain), in words. */
  readonly packageWhy: ReadonlyMap<string, string>;
}

/** Indexes a provenance document. Pure. */
export function viewProvenance(doc: ProvenanceDocument): ProvenanceView {
  const byPath = new Map<string, PathProvenance>();
  const nearest = new Map<string, ProvenanceFile>();
  for (const f of doc.files) {
    byPath.set(f.path, { package: f.package, reasons: f.reasons.map((r) => ({ ...r, text: describeReason(r) })), chain: f.chain });
    const best = nearest.get(f.package);
    // Links are on the way to something; the file they lead to says more.
    if (f.reasons.length > 0 && (best === undefined || rank(f) < rank(best))) nearest.set(f.package, f);
  }
  const packageWhy = new Map<string, string>();
  for (const [pkg, f] of nearest) packageWhy.set(pkg, `${f.path}: ${describeReason(f.reasons[0] as Reason)}`);
  return { byPath, packages: new Map(doc.packages.map((p) => [p.name, p])), packageWhy };
}

/** Traced from the executable first (nearest first), then rules and includes; a link after the file it leads to. */
function rank(f: ProvenanceFile): number {
  const traced = f.reasons[0] !== undefined && !["rule", "include", "file"].includes(f.reasons[0].kind);
  return (traced ? 0 : 1000) + f.chain.length * 2 + (f.kind === "symlink" ? 1 : 0);
}
