import { parseRelations } from "../debian/relations.js";
import type { PackageRecord, PackageUniverse } from "./packages-index.js";

/**
 * The compact form of a Packages index that the cache keeps, keyed by the index's signed
 * sha256. A header line (`mcc-packages-catalog 1 RECORDS PROVIDES`); one line per usable
 * stanza, sorted by package name (stanzas of one name in index order), with the fields mcc
 * reads in a fixed order, tab-separated; then one line per name a package provides
 * (`name<TAB>record number`), sorted by that name. A bookworm main index is 50 MB of text in
 * 63,000 stanzas; its compact form is about 20 MB. Opening it finds the lines (no string is
 * made), a name is found by binary search, and a record is decoded only when a resolution
 * asks for it. Built once per index, when it is first read; re-locking against an index
 * already in the cache reads this and nothing else.
 *
 * Version 1 of the format; a change of fields or of the rules below is a new version (the
 * cache key says which), never a silent reinterpretation.
 */
export const CATALOG_VERSION = 1;

/** The fields kept, in their order on a line. */
const FIELDS = ["package", "provides", "version", "architecture", "multi-arch", "essential", "priority", "pre-depends", "depends", "filename", "size", "sha256", "source"] as const;
const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<(typeof FIELDS)[number], number>;
/** The kept fields by length and first letter: a line's name is matched without making a string. */
const BY_SHAPE = new Map<number, number[]>();
for (const [i, f] of FIELDS.entries()) {
  const key = (f.length << 8) | f.charCodeAt(0);
  BY_SHAPE.set(key, [...(BY_SHAPE.get(key) ?? []), i]);
}
const FIELD_BYTES = FIELDS.map((f) => Buffer.from(f, "latin1"));

/** The kept field named by buf[start, end), in any case; -1 for any other field. */
function fieldAt(buf: Uint8Array, start: number, end: number): number {
  const candidates = BY_SHAPE.get(((end - start) << 8) | ((buf[start] as number) | 0x20));
  if (candidates === undefined) return -1;
  next: for (const f of candidates) {
    const name = FIELD_BYTES[f] as Buffer;
    for (let i = 0; i < name.length; i++) {
      const c = buf[start + i] as number;
      // Upper-case ASCII letters compare as lower-case; every other byte as it is.
      if (c !== name[i] && !(c >= 65 && c <= 90 && c + 32 === name[i])) continue next;
    }
    return f;
  }
  return -1;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;

/**
 * Builds the compact form from a Packages index as it streams in (decompressed bytes), never
 * holding its text. Stanzas without what mcc relies on are skipped (package, version,
 * architecture and filename present, a 64-digit lowercase sha256, a numeric size); a field
 * given twice keeps its last value, a continuation line joins its field with one space, and
 * tabs inside a value become spaces. Field names are matched without regard to case, as
 * deb822 says.
 */
export async function compactPackagesIndex(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const reader = stanzaReader();
  for await (const chunk of chunks) reader.push(chunk);
  return sortedCatalog(reader.end());
}

/** The records of a Packages index held in memory, in its order (a local package's stanza, tests). */
export function recordsOfIndex(text: string, base: string, suite: string): PackageRecord[] {
  const reader = stanzaReader();
  reader.push(Buffer.from(text, "utf8"));
  const lines = reader.end();
  return lines.names.map((_, i) => recordOf(lineText(lines, i), base, suite));
}

/**
 * Compact lines in index order, kept in blocks of 1 MiB that no line crosses (a longer line
 * has a block of its own): line i is in blocks[block[i]] at [start[i], start[i] + length[i]),
 * its LF included, and is named names[i].
 */
interface Lines {
  readonly blocks: readonly Buffer[];
  readonly block: readonly number[];
  readonly start: readonly number[];
  readonly length: readonly number[];
  readonly names: readonly string[];
}

const BLOCK = 1 << 20;

function lineText(lines: Lines, i: number): string[] {
  const start = lines.start[i] as number;
  return (lines.blocks[lines.block[i] as number] as Buffer).toString("utf8", start, start + (lines.length[i] as number) - 1).split("\t");
}

/** Reads stanzas from pushed bytes; `end` gives each usable one as a compact line, in order. */
function stanzaReader(): { push(chunk: Uint8Array): void; end(): Lines } {
  const lines = { blocks: [] as Buffer[], block: [] as number[], start: [] as number[], length: [] as number[], names: [] as string[] };
  let block = Buffer.allocUnsafe(BLOCK);
  let blockUsed = 0;
  // The stanza being read: each kept field's bytes in `scratch`, by [start, end) per field.
  let scratch = Buffer.allocUnsafe(64 * 1024);
  let used = 0;
  const starts = new Int32Array(FIELDS.length).fill(-1);
  const ends = new Int32Array(FIELDS.length);
  let current = -1;

  const append = (buf: Uint8Array, start: number, end: number) => {
    if (used + (end - start) > scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, used + (end - start)));
      scratch.copy(bigger, 0, 0, used);
      scratch = bigger;
    }
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      scratch[used++] = c === TAB ? SPACE : c;
    }
  };

  const text = (f: number): string | undefined => {
    const s = starts[f] as number;
    return s < 0 ? undefined : scratch.toString("utf8", s, ends[f]);
  };
  const flush = () => {
    if (starts[F.package]! >= 0 && starts[F.version]! >= 0 && starts[F.architecture]! >= 0 && starts[F.filename]! >= 0) {
      const sha256 = text(F.sha256);
      if (sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256) && Number.isFinite(Number(text(F.size)))) {
        let length = FIELDS.length - 1;
        for (let f = 0; f < FIELDS.length; f++) if ((starts[f] as number) >= 0) length += (ends[f] as number) - (starts[f] as number);
        if (blockUsed + length + 1 > block.length) {
          if (blockUsed > 0) lines.blocks.push(block.subarray(0, blockUsed));
          block = Buffer.allocUnsafe(Math.max(BLOCK, length + 1));
          blockUsed = 0;
        }
        let at = blockUsed;
        for (let f = 0; f < FIELDS.length; f++) {
          if (f > 0) block[at++] = TAB;
          const s = starts[f] as number;
          const e = ends[f] as number;
          if (s < 0) continue;
          if (e - s > 32) at += scratch.copy(block, at, s, e);
          else for (let i = s; i < e; i++) block[at++] = scratch[i] as number;
        }
        block[at++] = LF;
        lines.block.push(lines.blocks.length);
        lines.start.push(blockUsed);
        lines.length.push(at - blockUsed);
        lines.names.push(text(F.package) as string);
        blockUsed = at;
      }
    }
    starts.fill(-1);
    used = 0;
    current = -1;
  };

  const line = (buf: Buffer, start: number, end: number) => {
    if (end > start && buf[end - 1] === CR) end--;
    let first = start;
    while (first < end && (buf[first] === SPACE || buf[first] === TAB)) first++;
    if (first === end) return flush();
    if (first > start) {
      // A continuation line: joins the field it continues (the last one read), when kept.
      if (current < 0) return;
      let last = end;
      while (last > first && (buf[last - 1] === SPACE || buf[last - 1] === TAB)) last--;
      append(SPACE_BYTE, 0, 1);
      append(buf, first, last);
      ends[current] = used;
      return;
    }
    current = -1;
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    if (colon === start || colon === end) return;
    let nameEnd = colon;
    while (nameEnd > start && (buf[nameEnd - 1] === SPACE || buf[nameEnd - 1] === TAB)) nameEnd--;
    const f = fieldAt(buf, start, nameEnd);
    if (f < 0) return;
    let v = colon + 1;
    while (v < end && (buf[v] === SPACE || buf[v] === TAB)) v++;
    let w = end;
    while (w > v && (buf[w - 1] === SPACE || buf[w - 1] === TAB)) w--;
    starts[f] = used;
    append(buf, v, w);
    ends[f] = used;
    current = f;
  };

  // Lines are read where they lie in each chunk; only a line cut by a chunk's end is copied.
  let carry: Buffer | undefined;
  return {
    push(chunk) {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let pos = 0;
      if (carry !== undefined) {
        const nl = buf.indexOf(LF);
        if (nl === -1) {
          carry = Buffer.concat([carry, buf]);
          return;
        }
        const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
        line(joined, 0, joined.length);
        carry = undefined;
        pos = nl + 1;
      }
      for (;;) {
        const nl = buf.indexOf(LF, pos);
        if (nl === -1) break;
        line(buf, pos, nl);
        pos = nl + 1;
      }
      if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
    },
    end() {
      if (carry !== undefined) line(carry, 0, carry.length);
      carry = undefined;
      flush();
      if (blockUsed > 0) lines.blocks.push(block.subarray(0, blockUsed));
      return lines;
    },
  };
}

const SPACE_BYTE = Buffer.from(" ");
const MAGIC = "mcc-packages-catalog";

/** Names compare as JavaScript strings, in the sort and in the search alike. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The lines in the format's order (by name, then index order), the provides lines, the header. */
function sortedCatalog(lines: Lines): Buffer {
  const { names } = lines;
  const order = names.map((_, i) => i).sort((a, b) => byText(names[a] as string, names[b] as string) || a - b);
  const provided: { name: string; record: number }[] = [];
  let size = 0;
  order.forEach((i, record) => {
    size += lines.length[i] as number;
    const bytes = lines.blocks[lines.block[i] as number] as Buffer;
    const tab1 = bytes.indexOf(TAB, lines.start[i]);
    const tab2 = bytes.indexOf(TAB, tab1 + 1);
    if (tab2 > tab1 + 1) {
      for (const name of new Set(parseRelations(bytes.toString("utf8", tab1 + 1, tab2)).flatMap((g) => g.map((r) => r.name)))) provided.push({ name, record });
    }
  });
  provided.sort((a, b) => byText(a.name, b.name) || a.record - b.record);
  const header = Buffer.from(`${MAGIC} ${CATALOG_VERSION} ${names.length} ${provided.length}\n`);
  const tail = Buffer.from(provided.map((p) => `${p.name}\t${p.record}\n`).join(""));
  const out = Buffer.allocUnsafe(header.length + size + tail.length);
  let at = header.copy(out, 0);
  for (const i of order) {
    const start = lines.start[i] as number;
    at += (lines.blocks[lines.block[i] as number] as Buffer).copy(out, at, start, start + (lines.length[i] as number));
  }
  tail.copy(out, at);
  return out;
}

/** Where each line of buf[from, to) starts, and `to` last: one more entry than lines. */
function lineStarts(buf: Buffer, from: number, to: number, expected: number): Int32Array {
  let starts = new Int32Array(Math.max(expected, 1023) + 1);
  let n = 0;
  for (let pos = from; pos < to; ) {
    if (n + 1 >= starts.length) {
      const bigger = new Int32Array(starts.length * 2);
      bigger.set(starts);
      starts = bigger;
    }
    starts[n++] = pos;
    const nl = buf.indexOf(LF, pos);
    pos = nl === -1 || nl >= to ? to : nl + 1;
  }
  starts[n] = to;
  return starts.subarray(0, n + 1);
}

/** A compact index that is not one (a damaged cache file): rebuilt from the index. */
export class CatalogFormatError extends Error {
  override readonly name = "CatalogFormatError";
}

/**
 * The packages of one compact index, answering by name. A record is decoded the first time it
 * is asked for, and the same object is returned after (the resolver compares records by
 * identity).
 */
export function catalogOf(compact: Uint8Array, base: string, suite: string): PackageUniverse {
  const buf = Buffer.from(compact.buffer, compact.byteOffset, compact.byteLength);
  const headerEnd = buf.indexOf(LF);
  const header = /^mcc-packages-catalog (\d+) (\d+) (\d+)$/.exec(buf.toString("latin1", 0, headerEnd === -1 ? 0 : headerEnd));
  if (header === null || Number(header[1]) !== CATALOG_VERSION) throw new CatalogFormatError("not a packages catalog of this version");
  const count = Number(header[2]);
  const providedCount = Number(header[3]);
  const all = lineStarts(buf, headerEnd + 1, buf.length, count + providedCount);
  if (all.length !== count + providedCount + 1) throw new CatalogFormatError(`a packages catalog of ${all.length - 1} lines, not ${count + providedCount}`);
  const records = all.subarray(0, count + 1);
  const provides = all.subarray(count);

  const keyAt = (starts: Int32Array, i: number): string => {
    const start = starts[i] as number;
    return buf.toString("utf8", start, buf.indexOf(TAB, start));
  };
  /** The lines of `starts` whose key is `name`: [first, end). */
  const range = (starts: Int32Array, lines: number, name: string): [number, number] => {
    let lo = 0;
    let hi = lines;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(starts, mid) < name) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < lines && keyAt(starts, end) === name) end++;
    return [lo, end];
  };
  const decoded = new Map<number, PackageRecord>();
  const record = (i: number): PackageRecord => {
    let r = decoded.get(i);
    if (r === undefined) {
      r = recordOf(buf.toString("utf8", records[i], (records[i + 1] as number) - 1).split("\t"), base, suite);
      decoded.set(i, r);
    }
    return r;
  };
  return {
    named(name) {
      const [first, end] = range(records, count, name);
      return Array.from({ length: end - first }, (_, k) => record(first + k));
    },
    providing(name) {
      const [first, end] = range(provides, providedCount, name);
      return Array.from({ length: end - first }, (_, k) => {
        const start = provides[first + k] as number;
        return record(Number(buf.toString("latin1", buf.indexOf(TAB, start) + 1, (provides[first + k + 1] as number) - 1)));
      });
    },
    *names() {
      let last: string | undefined;
      for (let i = 0; i < count; i++) {
        const name = keyAt(records, i);
        if (name !== last) yield (last = name);
      }
    },
  };
}

function recordOf(f: string[], base: string, suite: string): PackageRecord {
  const get = (i: number) => f[i] ?? "";
  const name = get(F.package);
  const multiArch = get(F["multi-arch"]);
  const priority = get(F.priority) || "optional";
  const provides = get(F.provides);
  return {
    name,
    version: get(F.version),
    arch: get(F.architecture),
    multiArch: multiArch === "same" || multiArch === "foreign" || multiArch === "allowed" ? multiArch : "no",
    essential: get(F.essential) === "yes",
    priority: PRIORITIES.get(priority) ?? priority,
    preDepends: get(F["pre-depends"]),
    depends: get(F.depends),
    provides: provides === "" ? [] : parseRelations(provides).flatMap((g) => g),
    filename: get(F.filename),
    size: Number(get(F.size)),
    sha256: get(F.sha256),
    source: get(F.source) || name,
    base,
    suite,
  };
}

const PRIORITIES = new Map(["required", "important", "standard", "optional", "extra"].map((p) => [p, p]));
