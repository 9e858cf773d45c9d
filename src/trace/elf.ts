import elfy from "elfy";
import type { RandomFile } from "../host/host.js";

/**
 * What the tracer needs of an ELF file. `elfy` reads the header, program headers and
 * sections; the dynamic section is decoded here from PT_DYNAMIC (so files with stripped
 * section headers work), with its strings found through DT_STRTAB's address.
 */
export interface ElfInfo {
  readonly class: 32 | 64;
  readonly endian: "lsb" | "msb";
  /** elfy's machine name: `amd64`, `AArch64`, ... */
  readonly machine: string;
  readonly type: string;
  readonly interpreter?: string;
  readonly needed: readonly string[];
  readonly rpath: readonly string[];
  readonly runpath: readonly string[];
  readonly soname?: string;
  /** Undefined (imported) dynamic symbols, for rules such as "imports iconv_open". */
  readonly imports: ReadonlySet<string>;
}

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_GNU_HASH = 0x6ffffef5;

interface Program {
  type?: string;
  offset: number;
  vaddr: number;
  filesz: number;
  data: Buffer;
}

interface ParsedElf {
  class: string;
  endian: "lsb" | "msb";
  machine: string;
  type: string;
  body: { programs: Program[]; sections: Section[] };
}

const PT_TYPES: Record<number, string> = { 1: "load", 2: "dynamic", 3: "interp" };
const MACHINES: Record<number, string> = { 3: "i386", 8: "mips", 20: "ppc", 21: "ppc64", 40: "arm", 62: "amd64", 183: "AArch64", 243: "riscv" };
const TYPES: Record<number, string> = { 2: "exec", 3: "dyn" };

/** Readers of an ELF file's words in its class and byte order (e_ident[EI_CLASS], [EI_DATA]). */
interface ElfReaders {
  readonly is64: boolean;
  readonly le: boolean;
  u16(offset: number): number;
  u32(offset: number): number;
  /** An address or offset: 8 bytes in ELF64, 4 in ELF32. */
  word(offset: number): number;
  /** A signed word (dynamic tags). */
  signed(offset: number): number;
}

/** Whether e_ident names a class (32 or 64 bits) and a byte order mcc reads. */
function knownEncoding(buf: Buffer): boolean {
  return (buf[4] === 1 || buf[4] === 2) && (buf[5] === 1 || buf[5] === 2);
}

function elfReaders(buf: Buffer): ElfReaders {
  if (!knownEncoding(buf)) throw new Error("invalid ELF class or data encoding");
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  return {
    is64,
    le,
    u16: (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o)),
    u32,
    word: (o) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o)),
    signed: (o) => (is64 ? Number(le ? buf.readBigInt64LE(o) : buf.readBigInt64BE(o)) : le ? buf.readInt32LE(o) : buf.readInt32BE(o)),
  };
}

/** The header's table positions: program headers (ph*) and section headers (sh*). */
function headerTables(r: ElfReaders) {
  const is64 = r.is64;
  return {
    phoff: r.word(is64 ? 32 : 28),
    phentsize: r.u16(is64 ? 54 : 42),
    phnum: r.u16(is64 ? 56 : 44),
    shoff: r.word(is64 ? 40 : 32),
    shentsize: r.u16(is64 ? 58 : 46),
    shnum: r.u16(is64 ? 60 : 48),
    shstrndx: r.u16(is64 ? 62 : 50),
  };
}

interface ProgramHeader {
  /** p_type: PT_LOAD 1, PT_DYNAMIC 2, PT_INTERP 3, ... */
  readonly ptype: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

function programHeaders(buf: Buffer, r: ElfReaders): ProgramHeader[] {
  const { phoff, phentsize, phnum } = headerTables(r);
  const programs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + phentsize > buf.length) throw new Error("program headers run past the end of the file");
    programs.push(
      r.is64
        ? { ptype: r.u32(o), offset: r.word(o + 8), vaddr: r.word(o + 16), filesz: r.word(o + 32) }
        : { ptype: r.u32(o), offset: r.u32(o + 4), vaddr: r.u32(o + 8), filesz: r.u32(o + 16) },
    );
  }
  return programs;
}

/** The dynamic section's (tag, value) entries, up to DT_NULL. */
function dynamicEntries(r: ElfReaders, dynamic: { offset: number; filesz: number }): [number, number][] {
  const entries: [number, number][] = [];
  const size = r.is64 ? 16 : 8;
  for (let o = dynamic.offset; o + size <= dynamic.offset + dynamic.filesz; o += size) {
    const tag = r.signed(o);
    if (tag === DT_NULL) break;
    entries.push([tag, r.word(o + size / 2)]);
  }
  return entries;
}

/** The file offset of a virtual address, through the PT_LOAD segments. */
function fileOffset(loads: readonly { offset: number; vaddr: number; filesz: number }[], vaddr: number | undefined): number | undefined {
  if (vaddr === undefined) return undefined;
  for (const p of loads) if (vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return p.offset + (vaddr - p.vaddr);
  return undefined;
}

/** The ELF header and program headers, for files elfy refuses (no section headers). */
function parseWithoutSections(buf: Buffer): ParsedElf {
  const r = elfReaders(buf);
  const programs = programHeaders(buf, r).map(({ ptype, offset, vaddr, filesz }): Program => {
    const type = PT_TYPES[ptype];
    return { ...(type === undefined ? {} : { type }), offset, vaddr, filesz, data: buf.subarray(offset, offset + filesz) };
  });
  return {
    class: r.is64 ? "64" : "32",
    endian: r.le ? "lsb" : "msb",
    machine: MACHINES[r.u16(18)] ?? String(r.u16(18)),
    type: TYPES[r.u16(16)] ?? String(r.u16(16)),
    body: { programs, sections: [] },
  };
}

interface Section {
  name: string;
  type: string;
  off: number;
  size: number;
  entsize?: number;
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Files up to this size are read whole; a larger one only where readElf looks. */
const READ_WHOLE = 1 << 20;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_DYNSYM = 11;

/**
 * readElf of a file read by position. A large one is read only where readElf looks: the
 * headers, the section names, PT_INTERP, PT_DYNAMIC and the dynamic string and symbol tables it
 * points at, into a buffer the size of the file whose other pages are never written, and so
 * never take memory: a 30 MiB data library costs a few KiB. A file without section headers, or
 * whose tables cannot be placed, is read whole. Gives what readElf gives for the whole file
 * (test/trace/elf-sparse.test.ts compares them on every ELF of real packages).
 */
export function readElfFrom(file: Pick<RandomFile, "size" | "readInto">): ElfInfo {
  const buf = Buffer.alloc(file.size);
  const fill = (offset: number, length: number) => {
    const start = Math.max(0, Math.min(offset, file.size));
    const end = Math.max(start, Math.min(offset + length, file.size));
    if (end > start) file.readInto(start, buf.subarray(start, end));
  };
  if (file.size <= READ_WHOLE || !fillWhereRead(buf, fill)) fill(0, file.size);
  return readElf(buf);
}

/** Fills the parts of `buf` readElf reads; false when they cannot be told without the whole file. */
function fillWhereRead(buf: Buffer, fill: (offset: number, length: number) => void): boolean {
  fill(0, 64);
  if (!isElf(buf) || !knownEncoding(buf)) return false;
  const r = elfReaders(buf);
  const { phoff, phentsize, phnum, shoff, shentsize, shnum, shstrndx } = headerTables(r);
  if (shoff === 0 || shnum === 0 || shoff + shnum * shentsize > buf.length || phoff + phnum * phentsize > buf.length) return false;
  fill(phoff, phnum * phentsize);
  fill(shoff, shnum * shentsize);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: r.u32(o + 4), offset: r.word(o + (r.is64 ? 24 : 16)), size: r.word(o + (r.is64 ? 32 : 20)) };
  };
  if (shstrndx < shnum) fill(section(shstrndx).offset, section(shstrndx).size);
  const programs = programHeaders(buf, r);
  for (const p of programs) if (p.ptype === PT_INTERP || p.ptype === PT_DYNAMIC) fill(p.offset, p.filesz);
  const dynamic = programs.find((p) => p.ptype === PT_DYNAMIC);
  if (dynamic === undefined || dynamic.offset + dynamic.filesz > buf.length) return true;
  const entries = dynamicEntries(r, dynamic);
  const value = (tag: number) => entries.find(([t]) => t === tag)?.[1];
  const loads = programs.filter((p) => p.ptype === PT_LOAD);
  const strtab = fileOffset(loads, value(DT_STRTAB));
  if (strtab === undefined) return true;
  const strsz = value(DT_STRSZ);
  if (strsz === undefined) return false;
  fill(strtab, strsz);
  const symtab = fileOffset(loads, value(DT_SYMTAB));
  if (symtab === undefined) return true;
  const dynsym = Array.from({ length: shnum }, (_, i) => section(i)).find((s) => s.type === SHT_DYNSYM);
  if (dynsym === undefined) return false;
  fill(symtab, dynsym.size);
  return true;
}

/** Parses an ELF file's dynamic linking facts; throws on a file that is not valid ELF. */
export function readElf(bytes: Uint8Array): ElfInfo {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let parsed: ParsedElf;
  try {
    parsed = elfy.parse(buf) as ParsedElf;
  } catch (error) {
    // elfy cannot read files without section headers (e_shnum 0, as `sstrip` leaves them);
    // the program headers are all the dynamic linker uses, so read those ourselves.
    if (buf.length < 52) throw error;
    parsed = parseWithoutSections(buf);
  }
  const r = elfReaders(buf);
  const is64 = r.is64;
  const loads = parsed.body.programs.filter((p) => p.type === "load");
  const offsetOf = (vaddr: number | undefined) => fileOffset(loads, vaddr);
  const cString = (off: number): string => {
    let end = off;
    while (end < buf.length && buf[end] !== 0) end++;
    return buf.toString("utf8", off, end);
  };

  const interp = parsed.body.programs.find((p) => p.type === "interp");
  const interpreter = interp === undefined ? undefined : cString(interp.offset);

  const dynamic = parsed.body.programs.find((p) => p.type === "dynamic");
  const needed: string[] = [];
  const rpath: string[] = [];
  const runpath: string[] = [];
  let soname: string | undefined;
  const imports = new Set<string>();
  if (dynamic !== undefined) {
    const entries = dynamicEntries(r, dynamic);
    const value = (tag: number) => entries.find(([t]) => t === tag)?.[1];
    const strtab = offsetOf(value(DT_STRTAB));
    if (strtab !== undefined) {
      const str = (v: number) => cString(strtab + v);
      for (const [tag, v] of entries) {
        if (tag === DT_NEEDED) needed.push(str(v));
        else if (tag === DT_RPATH) rpath.push(...str(v).split(":").filter(Boolean));
        else if (tag === DT_RUNPATH) runpath.push(...str(v).split(":").filter(Boolean));
        else if (tag === DT_SONAME) soname = str(v);
      }
      const symtab = offsetOf(value(DT_SYMTAB));
      const count = symbolCount(parsed.body.sections, r, entries, offsetOf);
      if (symtab !== undefined && count !== undefined) {
        const size = is64 ? 24 : 16;
        const strsz = value(DT_STRSZ) ?? Infinity;
        for (let i = 1; i < count; i++) {
          const at = symtab + i * size;
          if (at + size > buf.length) break;
          const name = r.u32(at);
          const shndx = r.u16(at + (is64 ? 6 : 14));
          if (shndx === 0 && name > 0 && name < strsz) imports.add(str(name));
        }
      }
    }
  }
  return {
    class: is64 ? 64 : 32,
    endian: r.le ? "lsb" : "msb",
    machine: parsed.machine,
    type: parsed.type,
    ...(interpreter === undefined ? {} : { interpreter }),
    needed,
    rpath,
    runpath,
    ...(soname === undefined ? {} : { soname }),
    imports,
  };
}

/**
 * How many dynamic symbols there are: from the `.dynsym` section when sections exist, else
 * DT_HASH's chain count, else by walking DT_GNU_HASH's chains to their last symbol.
 */
function symbolCount(
  sections: readonly Section[],
  r: ElfReaders,
  entries: readonly [number, number][],
  offsetOf: (vaddr: number | undefined) => number | undefined,
): number | undefined {
  const dynsym = sections.find((s) => s.type === "dynsym");
  if (dynsym !== undefined) return Math.floor(dynsym.size / (r.is64 ? 24 : 16));
  const u32 = r.u32;
  const hash = offsetOf(entries.find(([t]) => t === DT_HASH)?.[1]);
  if (hash !== undefined) return u32(hash + 4);
  const gnu = offsetOf(entries.find(([t]) => t === DT_GNU_HASH)?.[1]);
  if (gnu === undefined) return undefined;
  const nbuckets = u32(gnu);
  const symoffset = u32(gnu + 4);
  const bloomSize = u32(gnu + 8);
  const buckets = gnu + 16 + bloomSize * (r.is64 ? 8 : 4);
  const chains = buckets + nbuckets * 4;
  let last = 0;
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, u32(buckets + i * 4));
  if (last < symoffset) return symoffset;
  while ((u32(chains + (last - symoffset) * 4) & 1) === 0) last++;
  return last + 1;
}
