import { parseRelations, relationNames } from "../debian/relations.js";
import { bytesAsRandomFile, type RandomFile } from "../host/host.js";
import type { PackageRecord, PackageUniverse } from "./packages-index.js";

/**
 * The compact form of a Packages index that the cache keeps, keyed by the index's signed
 * sha256. Lines of text: `mcc-packages-catalog 3`; one line per usable stanza, in index order,
 * with the fields mcc reads in a fixed order, tab-separated; the names, one line per record
 * (`name<TAB>where its line starts`, a byte offset in the file) sorted by name and offset; the
 * same for every name a record provides; and last `end RECORDS PROVIDED NAMES PROVIDES`, NAMES
 * and PROVIDES being where the two sorted sections start. A bookworm main index is 50 MB of text
 * in 63,000 stanzas; its compact form is about 22 MB, written as it is made (the stanzas are
 * never held: only their names and offsets, for the sorted sections). Opening it reads the
 * sorted sections alone (about 2 MB) and nothing else: a name is found by binary search over
 * their bytes (no table of lines is made), and a record is read from the file and decoded only
 * when a resolution asks for it, so the records are never all in memory. Built once per index,
 * when it is first read; re-locking against an index already in the cache reads this and
 * nothing else.
 *
 * A change of fields or of the rules below is a new version (the cache key says which), never
 * a silent reinterpretation.
 */
export const CATALOG_VERSION = 4;

/** The fields kept, in their order on a line. */
const FIELDS = ["package", "provides", "version", "architecture", "multi-arch", "essential", "priority", "pre-depends", "depends", "filename", "size", "sha256", "source"] as const;
const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<(typeof FIELDS)[number], number>;
/**
 * The kept fields by length (below 32) and the low five bits of the first letter (the same for
 * either case): a line's name is matched without making a string, and most names (of the
 * fields not kept) by one look in this table.
 */
const shapeOf = (length: number, first: number) => (length << 5) | (first & 31);
const BY_SHAPE: (readonly number[] | undefined)[] = new Array(32 * 32).fill(undefined);
for (const [i, f] of FIELDS.entries()) {
  const key = shapeOf(f.length, f.charCodeAt(0));
  BY_SHAPE[key] = [...(BY_SHAPE[key] ?? []), i];
}
const FIELD_BYTES = FIELDS.map((f) => Buffer.from(f, "latin1"));

/** The kept field named by buf[start, end), in any case; -1 for any other field. */
function fieldAt(buf: Uint8Array, start: number, end: number): number {
  if (end - start >= 32) return -1;
  const candidates = BY_SHAPE[shapeOf(end - start, buf[start] as number)];
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
 * deb822 says. A chunk must stay as it is once given (Node's streams and mcc's decoders give
 * fresh ones): a stanza's values are read from the chunks they lie in until the stanza ends.
 */
export async function compactPackagesIndex(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of compactPackagesIndexPieces(chunks)) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** compactPackagesIndex as pieces of about 1 MiB, yielded as they are made; the same contract for `chunks`. */
export async function* compactPackagesIndexPieces(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  const header = Buffer.from(`${MAGIC} ${CATALOG_VERSION}\n`);
  yield header;
  const pieces: Buffer[] = [];
  const reader = stanzaReader((piece) => pieces.push(piece));
  for await (const chunk of chunks) {
    reader.push(chunk);
    yield* pieces.splice(0);
  }
  const { names, byName, provided, starts, size } = reader.end();
  yield* pieces.splice(0);
  const at = (record: number) => header.length + (starts[record] as number);
  let written = header.length + size;
  const namesAt = written;
  for (const piece of sortedSection(byName, (i) => names[i] as string, at)) {
    written += piece.length;
    yield piece;
  }
  const providesAt = written;
  const byProvided = Array.from({ length: provided.length }, (_, i) => i);
  yield* sortedSection(byProvided, (i) => provided[i]!.name, (i) => at(provided[i]!.record));
  yield Buffer.from(`end ${names.length} ${provided.length} ${namesAt} ${providesAt}\n`);
}

/** The records of a Packages index held in memory, in its order (a local package's stanza, tests): the catalog's rules. */
export function parsePackagesIndex(text: string, base: string, suite: string): PackageRecord[] {
  const pieces: Buffer[] = [];
  const reader = stanzaReader((piece) => pieces.push(piece));
  reader.push(Buffer.from(text, "utf8"));
  reader.end();
  // One line per record, each ending in a newline.
  return Buffer.concat(pieces).toString("utf8").split("\n").slice(0, -1).map((line) => recordOf(line.split("\t"), base, suite));
}

/** 64 lowercase hexadecimal digits at buf[start, end); a start of -1 is a field not given. */
function isSha256(buf: Buffer, start: number, end: number): boolean {
  if (start < 0 || end - start !== 64) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** A size as the text parser takes it: digits, else whatever Number() reads as finite. */
function isSize(buf: Buffer, start: number, end: number): boolean {
  if (start < 0) return false;
  let digits = end > start;
  for (let i = start; i < end && digits; i++) digits = (buf[i] as number) >= 48 && (buf[i] as number) <= 57;
  return digits || Number.isFinite(Number(buf.toString("utf8", start, end)));
}

/** Lines are written in pieces of this size, none crossing two (a longer line has its own). */
const BLOCK = 1 << 20;

/**
 * Reads stanzas from pushed bytes, each usable one becoming a compact line; full pieces of
 * lines go to `onPiece` as they fill. `end` gives each record's name, and the names records
 * provide, by record number.
 */
function stanzaReader(onPiece: (piece: Buffer) => void): {
  push(chunk: Uint8Array): void;
  end(): { names: string[]; byName: number[]; provided: { name: string; record: number }[]; starts: number[]; size: number };
} {
  const names: string[] = [];
  // Record numbers, sorted by name a run of SORT_RUN at a time as the records come: the sort
  // of them all once the index has ended merges those runs (V8's sort finds them), which
  // leaves less than half the work for after the last byte.
  const byName: number[] = [];
  let sortedTo = 0;
  const sortRun = () => {
    const run = byName.slice(sortedTo).sort((a, b) => byText(names[a] as string, names[b] as string));
    for (let i = 0; i < run.length; i++) byName[sortedTo + i] = run[i] as number;
    sortedTo = byName.length;
  };
  const provided: { name: string; record: number }[] = [];
  // Where each record's line starts, counted from the first record's; `written`: the bytes of the pieces given out.
  const recordStarts: number[] = [];
  let written = 0;
  let block = Buffer.allocUnsafe(BLOCK);
  let blockUsed = 0;
  // The stanza being read: each kept field's value as bytes [start, end) of the buffer it lies
  // in (`from`: a chunk, or `scratch` for a value that had to be rewritten: one holding a tab, or
  // continued on further lines). Chunks are never written to, so a value may stay where it lies
  // until the stanza ends.
  let scratch = Buffer.allocUnsafe(64 * 1024);
  let used = 0;
  const from: Buffer[] = new Array<Buffer>(FIELDS.length).fill(scratch);
  const starts = new Int32Array(FIELDS.length).fill(-1);
  const ends = new Int32Array(FIELDS.length);
  let current = -1;
  // The first tab at or after some place in `tabIn`: no value before it holds one. Tabs are
  // rare, so one search of each chunk answers for all of its values.
  let tabIn: Buffer | undefined;
  let tabAt = 0;

  /** Field f's value, then buf[start, end), as its new value in `scratch`; tabs become spaces. */
  const extend = (f: number, buf: Buffer, start: number, end: number) => {
    const s = starts[f] as number;
    const e = ends[f] as number;
    const had = s < 0 ? 0 : e - s;
    const inPlace = from[f] === scratch && e === used && s >= 0;
    const needed = (inPlace ? used : used + had) + (end - start);
    if (needed > scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, needed));
      scratch.copy(bigger, 0, 0, used);
      // Values in the old scratch stay readable there (it is not written again).
      if (inPlace) from[f] = bigger;
      scratch = bigger;
    }
    if (!inPlace) {
      const at = used;
      if (had > 0) used += (from[f] as Buffer).copy(scratch, used, s, e);
      starts[f] = at;
      from[f] = scratch;
    }
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      scratch[used++] = c === TAB ? SPACE : c;
    }
    ends[f] = used;
  };

  const text = (f: number): string | undefined => {
    const s = starts[f] as number;
    return s < 0 ? undefined : (from[f] as Buffer).toString("utf8", s, ends[f]);
  };
  const flush = () => {
    if (starts[F.package]! >= 0 && starts[F.version]! >= 0 && starts[F.architecture]! >= 0 && starts[F.filename]! >= 0) {
      if (isSha256(from[F.sha256] as Buffer, starts[F.sha256] as number, ends[F.sha256] as number) && isSize(from[F.size] as Buffer, starts[F.size] as number, ends[F.size] as number)) {
        let length = FIELDS.length - 1;
        for (let f = 0; f < FIELDS.length; f++) if ((starts[f] as number) >= 0) length += (ends[f] as number) - (starts[f] as number);
        if (blockUsed + length + 1 > block.length) {
          if (blockUsed > 0) onPiece(block.subarray(0, blockUsed));
          written += blockUsed;
          block = Buffer.allocUnsafe(Math.max(BLOCK, length + 1));
          blockUsed = 0;
        }
        recordStarts.push(written + blockUsed);
        let at = blockUsed;
        for (let f = 0; f < FIELDS.length; f++) {
          if (f > 0) block[at++] = TAB;
          const s = starts[f] as number;
          const e = ends[f] as number;
          if (s < 0) continue;
          const src = from[f] as Buffer;
          if (e - s > 32) at += src.copy(block, at, s, e);
          else for (let i = s; i < e; i++) block[at++] = src[i] as number;
        }
        block[at++] = LF;
        blockUsed = at;
        const provides = (starts[F.provides] as number) >= 0 && ends[F.provides] !== starts[F.provides] ? text(F.provides) : undefined;
        if (provides) for (const name of new Set(relationNames(provides))) provided.push({ name, record: names.length });
        byName.push(names.length);
        names.push(text(F.package) as string);
        if (byName.length - sortedTo >= SORT_RUN) sortRun();
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
      extend(current, SPACE_BYTE, 0, 1);
      extend(current, buf, first, last);
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
    // A field given twice keeps its last value; a value with a tab is rewritten, any other stays where it lies.
    starts[f] = -1;
    if (buf !== tabIn || tabAt < v) {
      tabIn = buf;
      tabAt = buf.indexOf(TAB, v);
      if (tabAt === -1) tabAt = buf.length;
    }
    if (tabAt < w) extend(f, buf, v, w);
    else {
      from[f] = buf;
      starts[f] = v;
      ends[f] = w;
    }
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
      if (blockUsed > 0) onPiece(block.subarray(0, blockUsed));
      return { names, byName, provided, starts: recordStarts, size: written + blockUsed };
    },
  };
}

const SPACE_BYTE = Buffer.from(" ");
const MAGIC = "mcc-packages-catalog";

/** Names compare as JavaScript strings, in the sort and in the search alike. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Records sorted by name in runs of this many as they are read (a bookworm main index: 16 runs). */
const SORT_RUN = 4096;

/**
 * `name<TAB>offset` lines for the entries in `order` (whose offsets never fall as the entry's
 * number rises), sorted by name, then offset (the index's order), written straight into pieces
 * of about 256 KiB: a bookworm main index has 80,000 entries, and a string per line made 12 MB
 * of garbage. `order` holds every entry once: in runs, each sorted by name already (or not)
 * and each holding only entries numbered after those of the runs before it.
 */
function* sortedSection(order: number[], nameOf: (i: number) => string, atOf: (i: number) => number): Generator<Buffer> {
  // The sort is stable, and equal names within a run, and from one run to the next, are in
  // the index's order: by name alone gives name, then offset. A plain array: V8 sorts a typed
  // array with a comparator at half speed.
  order.sort((a, b) => byText(nameOf(a), nameOf(b)));
  let piece = Buffer.allocUnsafe(SECTION_PIECE);
  let used = 0;
  for (const i of order) {
    const name = nameOf(i);
    // At most 3 bytes per UTF-16 unit, a tab, 16 digits, a newline.
    const most = name.length * 3 + 18;
    if (used + most > piece.length) {
      if (used > 0) yield piece.subarray(0, used);
      piece = Buffer.allocUnsafe(Math.max(SECTION_PIECE, most));
      used = 0;
    }
    used += piece.write(name, used, "utf8");
    piece[used++] = TAB;
    used = writeDecimal(piece, used, atOf(i));
    piece[used++] = LF;
  }
  if (used > 0) yield piece.subarray(0, used);
}

const SECTION_PIECE = 256 * 1024;

/** A non-negative integer in decimal at buf[at], as String(n) writes it; where it ends. */
function writeDecimal(buf: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const end = at + digits;
  for (let rest = n, i = end - 1; i >= at; i--, rest = Math.floor(rest / 10)) buf[i] = 48 + (rest % 10);
  return end;
}

/** A compact index that is not one (a damaged cache file): rebuilt from the index. */
export class CatalogFormatError extends Error {
  override readonly name = "CatalogFormatError";
}

/** A catalog's bytes, read where asked: a file in the cache (the host's RandomFile), or bytes in memory. */
type CatalogFile = Pick<RandomFile, "size" | "read">;

/**
 * The packages of one compact index, answering by name. Only the sorted sections are read at
 * once; a record is read and decoded the first time it is asked for, and the same object is
 * returned after (the resolver compares records by identity).
 */
export function catalogOf(compact: CatalogFile | Uint8Array, base: string, suite: string): PackageUniverse {
  const file = compact instanceof Uint8Array ? bytesAsRandomFile(compact) : compact;
  const text = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = text(file.read(0, Math.min(file.size, 64)));
  const headerEnd = head.indexOf(LF);
  if (headerEnd === -1 || head.toString("latin1", 0, headerEnd) !== `${MAGIC} ${CATALOG_VERSION}`) throw new CatalogFormatError("not a packages catalog of this version");
  const tailStart = Math.max(0, file.size - 128);
  const tail = text(file.read(tailStart, file.size - tailStart));
  const trailerAt = tail.lastIndexOf(LF, tail.length - 2) + 1;
  const trailer = /^end (\d+) (\d+) (\d+) (\d+)\n$/.exec(tail.toString("latin1", trailerAt));
  if (tail[tail.length - 1] !== LF || trailer === null || trailerAt === 0) throw new CatalogFormatError("a packages catalog without its end");
  const namesAt = Number(trailer[3]);
  const providesAt = Number(trailer[4]);
  const trailerStart = tailStart + trailerAt;
  if (!(namesAt > headerEnd && namesAt <= providesAt && providesAt <= trailerStart)) throw new CatalogFormatError(`a packages catalog whose sorted sections start at ${namesAt} and ${providesAt}`);
  // The sorted sections, in memory: names and provided names with where their records start.
  const buf = text(file.read(namesAt, trailerStart - namesAt));
  if (buf.length !== trailerStart - namesAt) throw new CatalogFormatError("a packages catalog shorter than it says");
  // Each section is whole lines: it is empty or ends with a newline.
  const names = { from: 0, to: providesAt - namesAt };
  const provides = { from: providesAt - namesAt, to: buf.length };
  for (const section of [names, provides]) {
    if (section.to > section.from && buf[section.to - 1] !== LF) throw new CatalogFormatError("a packages catalog whose sorted sections are not whole lines");
  }

  /** The name on the line starting at `start`. */
  const keyAt = (start: number, end: number): string => {
    const tab = buf.indexOf(TAB, start);
    if (tab === -1 || tab >= end) throw new CatalogFormatError(`a packages catalog with a sorted line without its offset at ${namesAt + start}`);
    return buf.toString("utf8", start, tab);
  };
  /** The start of the line after the one starting at `start`. */
  const nextLine = (start: number): number => buf.indexOf(LF, start) + 1;
  /**
   * Where the records under `name` start, in a sorted section: a binary search over its bytes
   * for the first line whose name is not before `name` (each probe moves to the start of the
   * line it falls in), then the lines from there while the name is the same.
   */
  const lookup = (section: { from: number; to: number }, name: string): number[] => {
    let lo = section.from;
    let hi = section.to;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >>> 1);
      // Lines end with a newline, so the one holding `mid` starts after the last newline before it (never before `lo`, a line's start).
      const start = mid === 0 ? 0 : Math.max(lo, buf.lastIndexOf(LF, mid - 1) + 1);
      const end = nextLine(start);
      if (keyAt(start, end) < name) lo = end;
      else hi = start;
    }
    const found: number[] = [];
    for (let start = lo; start < section.to; ) {
      const end = nextLine(start);
      if (keyAt(start, end) !== name) break;
      const at = Number(buf.toString("latin1", buf.indexOf(TAB, start) + 1, end - 1));
      if (!(Number.isInteger(at) && at > headerEnd && at < namesAt)) throw new CatalogFormatError(`a packages catalog naming a record at ${at}, outside its records`);
      found.push(at);
      start = end;
    }
    return found;
  };
  /** The record line starting at `at` (just after a newline), read from the file to its newline. */
  const lineAt = (at: number): string => {
    for (let length = 4096; ; length *= 2) {
      const bytes = text(file.read(at - 1, Math.min(length, namesAt - at + 1)));
      if (bytes[0] !== LF) throw new CatalogFormatError(`a packages catalog naming a record at ${at}, not where a line starts`);
      const nl = bytes.indexOf(LF, 1);
      if (nl !== -1) return bytes.toString("utf8", 1, nl);
      if (at - 1 + bytes.length >= namesAt) throw new CatalogFormatError(`a packages catalog whose record at ${at} has no end`);
    }
  };
  const decoded = new Map<number, PackageRecord>();
  const record = (at: number): PackageRecord => {
    let r = decoded.get(at);
    if (r === undefined) {
      r = recordOf(lineAt(at).split("\t"), base, suite);
      decoded.set(at, r);
    }
    return r;
  };
  return {
    named: (name) => lookup(names, name).map(record),
    providing: (name) => lookup(provides, name).map(record),
    *names() {
      let last: string | undefined;
      for (let start = names.from; start < names.to; ) {
        const end = nextLine(start);
        const name = keyAt(start, end);
        if (name !== last) yield (last = name);
        start = end;
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
