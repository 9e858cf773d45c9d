// ELF files built byte by byte: ELF32 and ELF64, either byte order, with an interpreter,
// NEEDED entries, a RUNPATH and a SONAME, and no section headers (as a stripped file). Enough
// for the tracer to follow, without a cross toolchain.
/** The e_machine numbers the tests use. */
export const EM = { x86_64: 62, aarch64: 183, ppc64: 21, arm: 40 } as const;

export function buildElf(opts: { is64: boolean; le: boolean; machine: number; interp?: string; needed: string[]; runpath?: string; soname?: string }): Buffer {
  const { is64, le } = opts;
  const w = is64 ? 8 : 4;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const phnum = opts.interp ? 3 : 2;
  const phoff = ehsize;
  const base = 0x400000;
  // Layout: headers | interp | strtab | dynamic.
  const strings: string[] = ["", ...opts.needed, ...(opts.runpath ? [opts.runpath] : []), ...(opts.soname ? [opts.soname] : [])];
  const offsets = new Map<string, number>();
  let strtab = "";
  for (const s of strings) {
    if (!offsets.has(s)) offsets.set(s, Buffer.byteLength(strtab));
    strtab += s + "\0";
  }
  const interpOff = phoff + phnum * phentsize;
  const interpBytes = opts.interp ? Buffer.from(opts.interp + "\0") : Buffer.alloc(0);
  const strOff = interpOff + interpBytes.length;
  const strBytes = Buffer.from(strtab);
  const dynOff = Math.ceil((strOff + strBytes.length) / w) * w;
  const dyn: [number, number][] = [
    ...opts.needed.map((n) => [1, offsets.get(n) as number] as [number, number]),
    ...(opts.runpath ? [[29, offsets.get(opts.runpath) as number] as [number, number]] : []),
    ...(opts.soname ? [[14, offsets.get(opts.soname) as number] as [number, number]] : []),
    [5, base + strOff],
    [10, strBytes.length],
    [0, 0],
  ];
  const total = dynOff + dyn.length * 2 * w;
  const b = Buffer.alloc(total);
  const u16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const word = (v: number, o: number) => (is64 ? (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o)) : u32(v, o));
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0], 0);
  u16(3, 16); // ET_DYN
  u16(opts.machine, 18);
  u32(1, 20);
  word(0, 24); // entry
  word(phoff, is64 ? 32 : 28);
  word(0, is64 ? 40 : 32); // no section headers
  u16(ehsize, is64 ? 52 : 40);
  u16(phentsize, is64 ? 54 : 42);
  u16(phnum, is64 ? 56 : 44);
  u16(0, is64 ? 58 : 46);
  u16(0, is64 ? 60 : 48);
  u16(0, is64 ? 62 : 50);
  const ph = (i: number, type: number, offset: number, size: number) => {
    const o = phoff + i * phentsize;
    if (is64) {
      u32(type, o);
      u32(4, o + 4);
      word(offset, o + 8);
      word(base + offset, o + 16);
      word(base + offset, o + 24);
      word(size, o + 32);
      word(size, o + 40);
      word(w, o + 48);
    } else {
      u32(type, o);
      u32(offset, o + 4);
      u32(base + offset, o + 8);
      u32(base + offset, o + 12);
      u32(size, o + 16);
      u32(size, o + 20);
      u32(4, o + 24);
      u32(w, o + 28);
    }
  };
  let i = 0;
  ph(i++, 1, 0, total); // PT_LOAD of the whole file
  if (opts.interp) ph(i++, 3, interpOff, interpBytes.length);
  ph(i++, 2, dynOff, dyn.length * 2 * w); // PT_DYNAMIC
  interpBytes.copy(b, interpOff);
  strBytes.copy(b, strOff);
  dyn.forEach(([tag, val], k) => {
    word(tag, dynOff + k * 2 * w);
    word(val, dynOff + k * 2 * w + w);
  });
  return b;
}
