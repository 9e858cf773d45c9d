import { forEachParagraph } from "../debian/deb822.js";
import { parseRelations, type Relation } from "../debian/relations.js";

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

/** Parses a Packages index; stanzas without the fields mcc relies on are skipped. */
export function parsePackagesIndex(text: string, base: string, suite: string): PackageRecord[] {
  const out: PackageRecord[] = [];
  forEachParagraph(text, (p) => {
    const name = p.get("package");
    const version = p.get("version");
    const arch = p.get("architecture");
    const filename = p.get("filename");
    const sha256 = p.get("sha256");
    const size = Number(p.get("size"));
    if (name === undefined || version === undefined || arch === undefined || filename === undefined) return;
    if (sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isFinite(size)) return;
    const multiArch = p.get("multi-arch");
    out.push({
      name,
      version,
      arch,
      multiArch: multiArch === "same" || multiArch === "foreign" || multiArch === "allowed" ? multiArch : "no",
      essential: p.get("essential") === "yes",
      priority: p.get("priority") ?? "optional",
      preDepends: p.get("pre-depends") ?? "",
      depends: p.get("depends") ?? "",
      provides: p.has("provides") ? parseRelations(p.get("provides")).flatMap((g) => g) : [],
      filename,
      size,
      sha256,
      source: p.get("source") ?? name,
      base,
      suite,
    });
  });
  return out;
}
