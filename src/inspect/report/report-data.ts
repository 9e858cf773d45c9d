import { describeReason } from "../../provenance/explain.js";
import type { ProvenanceDocument } from "../../provenance/provenance.js";
import type { ImageFile } from "../read-image.js";
import type { Summary } from "../summarize.js";

/** One package (or `(mcc)`, `(unowned)`) of the report, largest first. */
export interface ReportPackage {
  readonly name: string;
  readonly version: string;
  readonly bytes: number;
  readonly files: number;
  /** The .deb's pool path and sha256, from the provenance. */
  readonly deb: string;
  readonly debSha256: string;
}

/**
 * One file or link, as an array to keep the page small for images of thousands of files:
 * path, size, package index, sha256 (files), kind (`f` file, `l` link), link target,
 * indices of its reasons' words in `texts`, and the chain of paths back to the executable.
 */
export type ReportEntry = readonly [string, number, number, string, "f" | "l", string, readonly number[], readonly string[]];

/** Everything the page shows, as plain JSON embedded in it. */
export interface ReportData {
  readonly title: string;
  readonly format: string;
  readonly arch: string;
  readonly files: number;
  readonly bytes: number;
  readonly provenance: { readonly name: string; readonly executable: string; readonly release: string; readonly tool: string; readonly manifest: string } | null;
  readonly packages: readonly ReportPackage[];
  /** Reasons in words, each once (a library needed by forty others is one string per reason). */
  readonly texts: readonly string[];
  readonly entries: readonly ReportEntry[];
  /** The build plan's steps, inputs first; null without provenance. */
  readonly steps: readonly { readonly id: string; readonly kind: string; readonly label: string; readonly inputs: readonly string[] }[] | null;
}

/** The report's input: what inspect read and summed up. */
export interface ReportInput {
  readonly title: string;
  readonly format: string;
  readonly arch?: string;
  readonly files: readonly ImageFile[];
  readonly summary: Summary;
  readonly provenance?: ProvenanceDocument;
}

/** The page's data from an image read back. Pure: the same image gives the same data. */
export function reportData(input: ReportInput): ReportData {
  const doc = input.provenance;
  const byPath = new Map((doc?.files ?? []).map((f) => [f.path, f]));
  const debs = new Map((doc?.packages ?? []).map((p) => [p.name, p]));
  const packages: ReportPackage[] = input.summary.packages.map((g) => {
    const deb = debs.get(g.name);
    return { name: g.name, version: g.version ?? deb?.version ?? "", bytes: g.bytes, files: g.files, deb: deb?.deb ?? "", debSha256: deb?.sha256 ?? "" };
  });
  const index = new Map(packages.map((p, i) => [p.name, i]));
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const intern = (t: string): number => {
    let i = textIndex.get(t);
    if (i === undefined) {
      i = texts.length;
      texts.push(t);
      textIndex.set(t, i);
    }
    return i;
  };
  const entries: ReportEntry[] = [];
  for (const f of input.files) {
    if (f.kind === "directory") continue;
    const p = byPath.get(f.path);
    const owner = input.summary.owners.get(f.path) ?? p?.package ?? "(unowned)";
    let pkg = index.get(owner);
    if (pkg === undefined) {
      // A link's package that owns no regular file.
      pkg = packages.length;
      packages.push({ name: owner, version: debs.get(owner)?.version ?? "", bytes: 0, files: 0, deb: debs.get(owner)?.deb ?? "", debSha256: debs.get(owner)?.sha256 ?? "" });
      index.set(owner, pkg);
    }
    entries.push([f.path, f.size, pkg, f.sha256 ?? "", f.kind === "file" ? "f" : "l", f.target ?? "", (p?.reasons ?? []).map((r) => intern(describeReason(r))), p?.chain ?? []]);
  }
  return {
    title: input.title,
    format: input.format,
    arch: input.arch ?? "",
    files: input.summary.files,
    bytes: input.summary.bytes,
    provenance: doc === undefined ? null : { name: doc.image.name, executable: doc.image.executable, release: doc.image.release, tool: doc.image.tool, manifest: doc.image.manifest },
    packages,
    texts,
    entries,
    steps: doc === undefined ? null : doc.plan.steps,
  };
}
