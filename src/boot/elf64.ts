/**
 * A static ELF64 executable with two segments and no sections: what the kernel needs to run a
 * program, nothing for a linker or a debugger. The file is
 *
 *   ELF header (64) | 2 program headers (2 x 56) | data | padding to 16 | code
 *
 * The first PT_LOAD maps the headers and the data read+write at DATA_BASE (the init reads a
 * file into a buffer there); the second maps the code read+execute, one page further (4 KiB on x86-64, 64 KiB on arm64), so no page is both
 * writable and executable and the two mappings never share a page. Data comes first so its
 * addresses are known before the code that refers to them is generated: `DATA_START` is
 * where the data's first byte is mapped.
 */

/**
 * The page size the segments are aligned to: 4 KiB on x86-64; 64 KiB on arm64, whose kernels
 * may use 4, 16 or 64 KiB pages (64 KiB alignment suits all three).
 */
const PAGE = { amd64: 0x1000, arm64: 0x10000 } as const;
const DATA_BASE = 0x400000;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const HEADERS = EHDR_SIZE + 2 * PHDR_SIZE;

/** The virtual address of the data's first byte. */
export const DATA_START = DATA_BASE + HEADERS;

/** e_machine values. */
const MACHINE = { amd64: 62, arm64: 183 } as const;

const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

/**
 * Where `bss` zeroed bytes start in memory after data of `dataLength` bytes: the data
 * segment's memory goes on past its bytes in the file, and the kernel fills it with zeros.
 */
export function bssAddress(dataLength: number): number {
  return DATA_BASE + alignUp(HEADERS + dataLength, 16);
}

/**
 * The executable: `data` mapped at DATA_START and followed by `bss` zeroed bytes (at
 * `bssAddress`), `code` mapped after them, entry at the code's first byte. Pure.
 */
export function staticElf(arch: keyof typeof MACHINE, data: Uint8Array, code: Uint8Array, bss = 0): Uint8Array {
  const codeOffset = alignUp(HEADERS + data.length, 16);
  const memory = codeOffset + bss;
  // Congruent to the file offset modulo the page size, as mmap requires, and in a page of its own.
  const page = PAGE[arch];
  const codeAddress = DATA_BASE + alignUp(memory, page) + (codeOffset % page);
  const file = new Uint8Array(codeOffset + code.length);
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */, 0 /* System V ABI */]);
  view.setUint16(16, 2, true); // ET_EXEC: fixed addresses, no relocation
  view.setUint16(18, MACHINE[arch], true);
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(codeAddress), true); // e_entry
  view.setBigUint64(32, BigInt(EHDR_SIZE), true); // e_phoff
  view.setBigUint64(40, 0n, true); // e_shoff: no sections
  view.setUint32(48, 0, true);
  view.setUint16(52, EHDR_SIZE, true);
  view.setUint16(54, PHDR_SIZE, true);
  view.setUint16(56, 2, true);
  view.setUint16(58, 64, true); // e_shentsize (no section follows; the size is the standard one)
  view.setUint16(60, 0, true);
  view.setUint16(62, 0, true);
  const phdr = (at: number, flags: number, offset: number, address: number, size: number, memorySize = size) => {
    view.setUint32(at, PT_LOAD, true);
    view.setUint32(at + 4, flags, true);
    view.setBigUint64(at + 8, BigInt(offset), true);
    view.setBigUint64(at + 16, BigInt(address), true);
    view.setBigUint64(at + 24, BigInt(address), true);
    view.setBigUint64(at + 32, BigInt(size), true);
    view.setBigUint64(at + 40, BigInt(memorySize), true);
    view.setBigUint64(at + 48, BigInt(page), true);
  };
  phdr(EHDR_SIZE, PF_R | PF_W, 0, DATA_BASE, codeOffset, memory);
  phdr(EHDR_SIZE + PHDR_SIZE, PF_R | PF_X, codeOffset, codeAddress, code.length);
  file.set(data, HEADERS);
  file.set(code, codeOffset);
  return file;
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
