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

/** The only fields read; the rest (descriptions above all) are skipped without being decoded. */
const WANTED = new Set(["package", "version", "architecture", "filename", "sha256", "size", "multi-arch", "essential", "priority", "pre-depends", "depends", "provides", "source"]);

/**
 * Parses a Packages index as it streams in: bytes in, records out, never the whole text.
 * A bookworm main index is about 45 MB decompressed; holding it as one string (and records
 * sliced from it, which keep the whole string alive in V8) cost hundreds of MB. Here each kept
 * value is decoded from its own bytes, so a record holds only its own small strings.
 * Stanzas without the fields mcc relies on are skipped.
 */
export async function parsePackagesStream(chunks: AsyncIterable<Uint8Array>, base: string, suite: string): Promise<PackageRecord[]> {
  const parser = createPackagesParser(base, suite);
  for await (const chunk of chunks) parser.push(chunk);
  return parser.end();
}

/** Parses a whole Packages index held in memory (tests, small indexes). */
export function parsePackagesIndex(text: string, base: string, suite: string): PackageRecord[] {
  const parser = createPackagesParser(base, suite);
  parser.push(Buffer.from(text, "utf8"));
  return parser.end();
}

interface PackagesParser {
  push(chunk: Uint8Array): void;
  end(): PackageRecord[];
}

function createPackagesParser(base: string, suite: string): PackagesParser {
  const out: PackageRecord[] = [];
  let fields = new Map<string, string>();
  /** The field that continuation lines extend, when it is one we keep. */
  let current: string | undefined;
  let carry: Buffer | undefined;

  const flush = () => {
    if (fields.size > 0) {
      const record = toRecord(fields, base, suite);
      if (record !== undefined) out.push(record);
    }
    fields = new Map();
    current = undefined;
  };

  const line = (buf: Buffer, start: number, end: number) => {
    if (end > start && buf[end - 1] === 13) end--;
    let blank = true;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c !== 32 && c !== 9) {
        blank = false;
        break;
      }
    }
    if (blank) return flush();
    const first = buf[start];
    if (first === 32 || first === 9) {
      if (current !== undefined) fields.set(current, `${fields.get(current) ?? ""}\n${buf.toString("utf8", start + 1, end)}`);
      return;
    }
    const colon = buf.indexOf(58, start);
    if (colon <= start || colon >= end) {
      current = undefined;
      return;
    }
    const name = buf.toString("latin1", start, colon).trim().toLowerCase();
    if (!WANTED.has(name)) {
      current = undefined;
      return;
    }
    current = name;
    fields.set(name, buf.toString("utf8", colon + 1, end).trim());
  };

  return {
    push(chunk) {
      const buf = carry === undefined ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([carry, chunk]);
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl === -1) break;
        line(buf, pos, nl);
        pos = nl + 1;
      }
      // The partial last line is copied: keeping a view would pin the whole chunk.
      carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
    },
    end() {
      if (carry !== undefined) line(carry, 0, carry.length);
      carry = undefined;
      flush();
      return out;
    },
  };
}

function toRecord(p: ReadonlyMap<string, string>, base: string, suite: string): PackageRecord | undefined {
  const name = p.get("package");
  const version = p.get("version");
  const arch = p.get("architecture");
  const filename = p.get("filename");
  const sha256 = p.get("sha256");
  const size = Number(p.get("size"));
  if (name === undefined || version === undefined || arch === undefined || filename === undefined) return undefined;
  if (sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256) || !Number.isFinite(size)) return undefined;
  const multiArch = p.get("multi-arch");
  const priority = p.get("priority") ?? "optional";
  return {
    name,
    version,
    arch,
    multiArch: multiArch === "same" || multiArch === "foreign" || multiArch === "allowed" ? multiArch : "no",
    essential: p.get("essential") === "yes",
    priority: PRIORITIES.get(priority) ?? priority,
    preDepends: p.get("pre-depends") ?? "",
    depends: p.get("depends") ?? "",
    provides: p.has("provides") ? parseRelations(p.get("provides")).flatMap((g) => g) : [],
    filename,
    size,
    sha256,
    source: p.get("source") ?? name,
    base,
    suite,
  };
}

/** One shared string per priority instead of one per record. */
const PRIORITIES = new Map(["required", "important", "standard", "optional", "extra"].map((p) => [p, p]));
