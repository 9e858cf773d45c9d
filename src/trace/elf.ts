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

/** The ELF header and program headers, for files elfy refuses (no section headers). */
function parseWithoutSections(buf: Buffer): ParsedElf {
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  if ((buf[4] !== 1 && buf[4] !== 2) || (buf[5] !== 1 && buf[5] !== 2)) throw new Error("invalid ELF class or data encoding");
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const programs: Program[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + phentsize > buf.length) throw new Error("program headers run past the end of the file");
    const type = PT_TYPES[u32(o)];
    const offset = is64 ? word(o + 8) : u32(o + 4);
    const vaddr = is64 ? word(o + 16) : u32(o + 8);
    const filesz = is64 ? word(o + 32) : u32(o + 16);
    programs.push({ ...(type === undefined ? {} : { type }), offset, vaddr, filesz, data: buf.subarray(offset, offset + filesz) });
  }
  return {
    class: is64 ? "64" : "32",
    endian: le ? "lsb" : "msb",
    machine: MACHINES[u16(18)] ?? String(u16(18)),
    type: TYPES[u16(16)] ?? String(u16(16)),
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
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  if (!isElf(buf) || (buf[4] !== 1 && buf[4] !== 2) || (buf[5] !== 1 && buf[5] !== 2)) return false;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const signed = (o: number) => (is64 ? Number(le ? buf.readBigInt64LE(o) : buf.readBigInt64BE(o)) : le ? buf.readInt32LE(o) : buf.readInt32BE(o));
  const [phoff, phentsize, phnum] = [word(is64 ? 32 : 28), u16(is64 ? 54 : 42), u16(is64 ? 56 : 44)];
  const [shoff, shentsize, shnum, shstrndx] = [word(is64 ? 40 : 32), u16(is64 ? 58 : 46), u16(is64 ? 60 : 48), u16(is64 ? 62 : 50)];
  if (shoff === 0 || shnum === 0 || shoff + shnum * shentsize > buf.length || phoff + phnum * phentsize > buf.length) return false;
  fill(phoff, phnum * phentsize);
  fill(shoff, shnum * shentsize);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: u32(o + 4), offset: word(o + (is64 ? 24 : 16)), size: word(o + (is64 ? 32 : 20)) };
  };
  if (shstrndx < shnum) fill(section(shstrndx).offset, section(shstrndx).size);
  const loads: { offset: number; vaddr: number; filesz: number }[] = [];
  let dynamic: { offset: number; filesz: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const p = { type: u32(o), offset: is64 ? word(o + 8) : u32(o + 4), vaddr: is64 ? word(o + 16) : u32(o + 8), filesz: is64 ? word(o + 32) : u32(o + 16) };
    if (p.type === PT_LOAD) loads.push(p);
    if (p.type === PT_INTERP) fill(p.offset, p.filesz);
    if (p.type === PT_DYNAMIC) {
      fill(p.offset, p.filesz);
      dynamic ??= p;
    }
  }
  if (dynamic === undefined) return true;
  const entries = new Map<number, number>();
  const size = is64 ? 16 : 8;
  for (let o = dynamic.offset; o + size <= Math.min(dynamic.offset + dynamic.filesz, buf.length); o += size) {
    const tag = signed(o);
    if (tag === DT_NULL) break;
    if (!entries.has(tag)) entries.set(tag, word(o + size / 2));
  }
  const offsetOf = (vaddr: number | undefined) => {
    if (vaddr === undefined) return undefined;
    for (const p of loads) if (vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return p.offset + (vaddr - p.vaddr);
    return undefined;
  };
  const strtab = offsetOf(entries.get(DT_STRTAB));
  if (strtab === undefined) return true;
  const strsz = entries.get(DT_STRSZ);
  if (strsz === undefined) return false;
  fill(strtab, strsz);
  const symtab = offsetOf(entries.get(DT_SYMTAB));
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
  const is64 = parsed.class === "64";
  const le = parsed.endian === "lsb";
  const word = is64 ? 8 : 4;
  const readWord = (b: Buffer, off: number): number => {
    if (is64) return Number(le ? b.readBigUInt64LE(off) : b.readBigUInt64BE(off));
    return le ? b.readUInt32LE(off) : b.readUInt32BE(off);
  };
  const readSigned = (b: Buffer, off: number): number => {
    if (is64) return Number(le ? b.readBigInt64LE(off) : b.readBigInt64BE(off));
    return le ? b.readInt32LE(off) : b.readInt32BE(off);
  };
  const loads = parsed.body.programs.filter((p) => p.type === "load");
  /** File offset of a virtual address, through the PT_LOAD segments. */
  const offsetOf = (vaddr: number): number | undefined => {
    for (const p of loads) if (vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return p.offset + (vaddr - p.vaddr);
    return undefined;
  };
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
    const entries: [number, number][] = [];
    for (let off = dynamic.offset; off + 2 * word <= dynamic.offset + dynamic.filesz; off += 2 * word) {
      const tag = readSigned(buf, off);
      if (tag === DT_NULL) break;
      entries.push([tag, readWord(buf, off + word)]);
    }
    const value = (tag: number) => entries.find(([t]) => t === tag)?.[1];
    const strtab = offsetOf(value(DT_STRTAB) ?? -1);
    if (strtab !== undefined) {
      const str = (v: number) => cString(strtab + v);
      for (const [tag, v] of entries) {
        if (tag === DT_NEEDED) needed.push(str(v));
        else if (tag === DT_RPATH) rpath.push(...str(v).split(":").filter(Boolean));
        else if (tag === DT_RUNPATH) runpath.push(...str(v).split(":").filter(Boolean));
        else if (tag === DT_SONAME) soname = str(v);
      }
      const symtab = offsetOf(value(DT_SYMTAB) ?? -1);
      const count = symbolCount(parsed.body.sections, buf, entries, offsetOf, is64, le);
      if (symtab !== undefined && count !== undefined) {
        const size = is64 ? 24 : 16;
        const strsz = value(DT_STRSZ) ?? Infinity;
        for (let i = 1; i < count; i++) {
          const at = symtab + i * size;
          if (at + size > buf.length) break;
          const name = le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
          const shndx = is64 ? (le ? buf.readUInt16LE(at + 6) : buf.readUInt16BE(at + 6)) : le ? buf.readUInt16LE(at + 14) : buf.readUInt16BE(at + 14);
          if (shndx === 0 && name > 0 && name < strsz) imports.add(str(name));
        }
      }
    }
  }
  return {
    class: is64 ? 64 : 32,
    endian: parsed.endian,
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
  buf: Buffer,
  entries: readonly [number, number][],
  offsetOf: (vaddr: number) => number | undefined,
  is64: boolean,
  le: boolean,
): number | undefined {
  const dynsym = sections.find((s) => s.type === "dynsym");
  if (dynsym !== undefined) return Math.floor(dynsym.size / (is64 ? 24 : 16));
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const hash = offsetOf(entries.find(([t]) => t === DT_HASH)?.[1] ?? -1);
  if (hash !== undefined) return u32(hash + 4);
  const gnu = offsetOf(entries.find(([t]) => t === DT_GNU_HASH)?.[1] ?? -1);
  if (gnu === undefined) return undefined;
  const nbuckets = u32(gnu);
  const symoffset = u32(gnu + 4);
  const bloomSize = u32(gnu + 8);
  const buckets = gnu + 16 + bloomSize * (is64 ? 8 : 4);
  const chains = buckets + nbuckets * 4;
  let last = 0;
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, u32(buckets + i * 4));
  if (last < symoffset) return symoffset;
  while ((u32(chains + (last - symoffset) * 4) & 1) === 0) last++;
  return last + 1;
}
