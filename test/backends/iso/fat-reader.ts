// A minimal FAT12/16 directory reader for the tests, written from the Microsoft FAT
// specification and separate from the writer, so the raw entries it returns check the writer.

/** One directory entry as found: its long-name entries, if any, and its short entry. */
export interface ReadFatEntry {
  /** The long-name entries, in disk order, 32 bytes each. */
  readonly long: Buffer[];
  /** The short entry, 32 bytes. */
  readonly short: Buffer;
  /** The long name as decoded (UCS-2 up to the first 0x0000), or undefined. */
  readonly longName: string | undefined;
  /** The short name as `BASE.EXT` or `BASE`. */
  readonly shortName: string;
}

/** The BPB fields the reader needs, and the FAT type by cluster count. */
function layout(image: Buffer) {
  const bytesPerSector = image.readUInt16LE(11);
  const sectorsPerCluster = image[13] ?? 1;
  const reserved = image.readUInt16LE(14);
  const fats = image[16] ?? 2;
  const rootEntries = image.readUInt16LE(17);
  const sectorsPerFat = image.readUInt16LE(22);
  const total = image.readUInt16LE(19) || image.readUInt32LE(32);
  const rootAt = (reserved + fats * sectorsPerFat) * bytesPerSector;
  const dataStart = reserved + fats * sectorsPerFat + (rootEntries * 32) / bytesPerSector;
  const clusters = Math.floor((total - dataStart) / sectorsPerCluster);
  return { bytesPerSector, sectorsPerCluster, reserved, rootEntries, rootAt, dataStart, fat12: clusters < 4085 };
}

/** The clusters of a chain, following FAT #1. */
export function clusterChain(image: Buffer, first: number): number[] {
  const l = layout(image);
  const fatAt = l.reserved * l.bytesPerSector;
  const out: number[] = [];
  for (let n = first; n >= 2 && n < (l.fat12 ? 0xff8 : 0xfff8); ) {
    out.push(n);
    if (l.fat12) {
      const v = image.readUInt16LE(fatAt + Math.floor((n * 3) / 2));
      n = n % 2 === 0 ? v & 0xfff : v >> 4;
    } else n = image.readUInt16LE(fatAt + n * 2);
  }
  return out;
}

/** The bytes of a directory: the root region, or the clusters of the chain from `first`. */
export function directoryBytes(image: Buffer, first: number): Buffer {
  const l = layout(image);
  if (first === 0) return image.subarray(l.rootAt, l.rootAt + l.rootEntries * 32);
  const clusterBytes = l.sectorsPerCluster * l.bytesPerSector;
  return Buffer.concat(clusterChain(image, first).map((c) => image.subarray((l.dataStart + (c - 2) * l.sectorsPerCluster) * l.bytesPerSector, (l.dataStart + (c - 2) * l.sectorsPerCluster) * l.bytesPerSector + clusterBytes)));
}

/** The entries of a directory up to the first free one (first byte 0), long-name entries grouped with their short entry. */
export function readFatDirectory(image: Buffer, first: number): ReadFatEntry[] {
  const bytes = directoryBytes(image, first);
  const out: ReadFatEntry[] = [];
  let long: Buffer[] = [];
  for (let at = 0; at < bytes.length && bytes[at] !== 0; at += 32) {
    const entry = bytes.subarray(at, at + 32);
    if (entry[11] === 0x0f) {
      long.push(entry);
      continue;
    }
    const base = entry.subarray(0, 8).toString("latin1").trimEnd();
    const ext = entry.subarray(8, 11).toString("latin1").trimEnd();
    out.push({ long, short: entry, longName: long.length === 0 ? undefined : decodeLong(long), shortName: ext === "" ? base : `${base}.${ext}` });
    long = [];
  }
  return out;
}

/** The characters of long-name entries (disk order: last part first), up to the first 0x0000. */
function decodeLong(entries: readonly Buffer[]): string {
  const offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
  const units = [...entries].reverse().flatMap((e) => offsets.map((o) => e.readUInt16LE(o)));
  const end = units.indexOf(0);
  return String.fromCharCode(...(end < 0 ? units : units.slice(0, end)));
}

/** The entries of the directory at `path`, looked up case-insensitively by long or short name. */
export function readFatPath(image: Buffer, path: string): ReadFatEntry[] {
  let entries = readFatDirectory(image, 0);
  for (const part of path.split("/").filter((p) => p !== "")) {
    const want = part.toUpperCase();
    const found = entries.find((e) => e.longName?.toUpperCase() === want || e.shortName === want);
    if (found === undefined) throw new Error(`no ${part} in ${path}`);
    entries = readFatDirectory(image, found.short.readUInt16LE(26));
  }
  return entries;
}
