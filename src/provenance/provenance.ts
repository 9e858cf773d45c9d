import type { ImageEntry } from "../assemble/image-tree.js";
import type { Reason } from "../trace/trace.js";

/** The `schema` field of every version-1 document; a reader refuses any other. */
export const PROVENANCE_SCHEMA = "mcc.provenance.v2";

/** One step of the build plan as the document records it: no parameters, so no machine paths. */
export interface ProvenanceStep {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly inputs: readonly string[];
}

/** A Debian package that put a file or link into the image. */
export interface ProvenancePackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /** The .deb's pool path in the archive (`pool/main/c/curl/curl_..._amd64.deb`). */
  readonly deb: string;
  /** sha256 of the .deb. */
  readonly sha256: string;
}

/** One entry of the image and why it is there. */
export interface ProvenanceFile {
  readonly path: string;
  readonly kind: "file" | "symlink" | "directory";
  /** The Debian package it came from, or `(mcc)` / `(spec)`. */
  readonly package: string;
  /** Every reason the tracer recorded, first the one that kept it. */
  readonly reasons: readonly Reason[];
  /** The paths the first reason leads back through, nearest first, ending at the executable (or a rule, an include). */
  readonly chain: readonly string[];
}

/** mcc's provenance document: why each file of one image is there, and the plan that built it. */
export interface ProvenanceDocument {
  readonly schema: typeof PROVENANCE_SCHEMA;
  readonly image: {
    readonly name: string;
    readonly arch: string;
    readonly release: string;
    readonly executable: string;
    readonly tool: string;
    /** The image manifest's digest (`sha256:...`), the artifact's subject. */
    readonly manifest: string;
    /** The layers' uncompressed digests (`sha256:...`), bottom first, as docker-archives name them. */
    readonly diffIds: readonly string[];
  };
  readonly packages: readonly ProvenancePackage[];
  readonly files: readonly ProvenanceFile[];
  readonly plan: { readonly steps: readonly ProvenanceStep[] };
}

/** What the document is made from: the image tree's entries and reasons, and facts of the build. */
export interface ProvenanceInput {
  readonly image: ProvenanceDocument["image"];
  readonly packages: readonly ProvenancePackage[];
  readonly entries: readonly ImageEntry[];
  readonly reasons: ReadonlyMap<string, readonly Reason[]>;
  readonly steps: readonly ProvenanceStep[];
}

/** The path a reason names as what pulled this one in, if any. */
export function reasonParent(r: Reason): string | undefined {
  switch (r.kind) {
    case "interpreter":
    case "needed":
    case "shebang":
    case "alternative":
      return r.by;
    case "symlink":
      return r.to;
    default:
      return undefined;
  }
}

/**
 * The document of one image. Entries keep the tree's order (byte order of paths); plain
 * parent directories, which have no reason of their own, are left out; packages are those
 * that put something in. Pure: the same input gives the same document.
 */
export function buildProvenance(input: ProvenanceInput): ProvenanceDocument {
  const kept = new Set(input.entries.map((e) => e.path));
  const chainOf = (path: string): string[] => {
    const chain: string[] = [];
    const seen = new Set([path]);
    for (let p = reasonParent(input.reasons.get(path)?.[0] ?? { kind: "executable" }); p !== undefined && !seen.has(p) && kept.has(p); ) {
      chain.push(p);
      seen.add(p);
      const first = input.reasons.get(p)?.[0];
      p = first === undefined ? undefined : reasonParent(first);
    }
    return chain;
  };
  const files: ProvenanceFile[] = [];
  for (const e of input.entries) {
    const reasons = input.reasons.get(e.path) ?? [];
    if (e.kind === "directory" && reasons.length === 0) continue;
    files.push({ path: e.path, kind: e.kind, package: e.kind === "directory" ? "(mcc)" : e.pkg, reasons, chain: chainOf(e.path) });
  }
  const used = new Set(files.map((f) => f.package));
  return {
    schema: PROVENANCE_SCHEMA,
    image: input.image,
    packages: input.packages.filter((p) => used.has(p.name)),
    files,
    plan: { steps: input.steps },
  };
}

/** The document's bytes: compact JSON, keys in a fixed order, one trailing newline. */
export function provenanceBytes(doc: ProvenanceDocument): Buffer {
  return Buffer.from(`${JSON.stringify(doc)}\n`);
}

/** A document read back, checked for the fields a reader uses; undefined when it is not one. */
export function parseProvenance(text: string): ProvenanceDocument | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  // v1 named one layer (`diffId`); v2 names each (`diffIds`). Both read as v2.
  const raw = doc as Partial<ProvenanceDocument> & { image?: { diffId?: unknown } };
  const d: Partial<ProvenanceDocument> =
    (raw.schema as string | undefined) === "mcc.provenance.v1" && typeof raw.image === "object" && typeof raw.image.diffId === "string"
      ? { ...raw, schema: PROVENANCE_SCHEMA, image: { ...(raw.image as ProvenanceDocument["image"]), diffIds: [raw.image.diffId] } }
      : raw;
  if (d.schema !== PROVENANCE_SCHEMA || !Array.isArray(d.files) || !Array.isArray(d.packages) || !Array.isArray(d.plan?.steps) || typeof d.image !== "object") return undefined;
  const okFile = (f: unknown) => typeof f === "object" && f !== null && typeof (f as ProvenanceFile).path === "string" && Array.isArray((f as ProvenanceFile).reasons) && Array.isArray((f as ProvenanceFile).chain);
  return d.files.every(okFile) ? (d as ProvenanceDocument) : undefined;
}
