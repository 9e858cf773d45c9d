import { createHash } from "node:crypto";
import { buildFileTree, directoriesOf, sortTree, type TreeDirectory, type TreeFile, type TreeInput, type TreeNode } from "./file-tree.js";
import { FAT_SECTOR, type FatGeometry, planFat } from "./fat-geometry.js";
import { compareFatNames, entryCount, type FatChild, fatChildren } from "./fat-directory.js";
import { checkFatLabel, checkFatName, foldFatName } from "./fat-names.js";
import { fatTimestamp, type FatTimestamp } from "./fat-time.js";

/** What goes into a FAT image (an EFI System Partition for the ISO's EFI boot entry). */
export interface FatOptions {
  /** The volume label, 1 to 11 characters. */
  readonly label: string;
  /** SOURCE_DATE_EPOCH, in seconds: every timestamp (clamped to FAT's 1980 to 2107). */
  readonly epoch: number;
  /**
   * Absolute paths (`/EFI/BOOT/BOOTX64.EFI`, `/loader/entries/mcc.conf`): upper-case 8.3
   * names are short entries alone, any other name gets long-name entries; case is kept.
   */
  readonly files: readonly TreeInput[];
  /**
   * Every file's content starts at a multiple of this many bytes in the image (a power of two
   * from 512 to 32768): with 2048, an ISO 9660 record can name a file inside the image by its
   * sectors, so the ISO need not hold it twice. Default 512 (no constraint).
   */
  readonly align?: number;
}

const ENTRY = 32;
const ATTR_VOLUME_ID = 0x08;
const ATTR_DIRECTORY = 0x10;
const ATTR_ARCHIVE = 0x20;
/** The root's entry count is a 16-bit BPB field, in whole sectors of 16 entries. */
const ROOT_ENTRIES_MAX = 65520;
/** The specification's limit for any other directory (2 MiB). */
const DIRECTORY_ENTRIES_MAX = 65536;

/**
 * Writes a FAT12 or FAT16 image (512-byte sectors, two FATs, VFAT long names where a name is
 * not an upper-case 8.3 one) holding the files, the smallest that fits them with a little
 * slack (see planFat). Pure and deterministic: directories are sorted (see compareFatNames),
 * short aliases of long names numbered in that order, clusters handed out in a fixed order
 * (directories breadth first, then files) with no fragmentation, every timestamp is the
 * epoch, and the volume serial number, which tools usually take from the clock, is a hash of
 * the label, the epoch and the files.
 */
export function writeFat(options: FatOptions): Buffer {
  return writeFatImage(options).image;
}

/** {@link writeFat}, and where each file's content starts in the image (by the path given). */
export function writeFatImage(options: FatOptions): { image: Buffer; offsets: ReadonlyMap<string, number> } {
  const align = options.align ?? FAT_SECTOR;
  if (!Number.isInteger(Math.log2(align)) || align < FAT_SECTOR || align > 64 * FAT_SECTOR) throw new Error(`FAT: an alignment of ${align} bytes is not a power of two from 512 to 32768`);
  const label = checkFatLabel(options.label);
  const time = fatTimestamp(options.epoch);
  const root = buildFileTree(options.files, "FAT", checkFatName, { keep: foldFatName });
  sortTree(root, compareFatNames);
  const directories = directoriesOf(root);
  const subdirectories = directories.slice(1);
  const files = directories.flatMap((d) => d.children.filter((c): c is TreeFile => c.kind === "file"));
  const children = new Map(directories.map((d) => [d, fatChildren(d)]));
  const childrenOf = (dir: TreeDirectory) => children.get(dir) ?? [];
  // "." and "..", then every child's entries, long-name entries included.
  const directoryBytes = (dir: TreeDirectory) => (2 + entryCount(childrenOf(dir))) * ENTRY;
  const rootEntries = 1 + entryCount(childrenOf(root)); // the volume label, then the children
  if (rootEntries > ROOT_ENTRIES_MAX) throw new Error(`FAT: the root directory needs ${rootEntries} entries (long names take one per 13 characters), more than ${ROOT_ENTRIES_MAX}`);
  for (const dir of subdirectories) {
    if (directoryBytes(dir) / ENTRY > DIRECTORY_ENTRIES_MAX) throw new Error(`FAT: ${JSON.stringify(dir.path)} needs ${directoryBytes(dir) / ENTRY} entries, more than ${DIRECTORY_ENTRIES_MAX}`);
  }
  const geometry = planFat((cluster) => {
    let clusters = 0;
    for (const dir of subdirectories) clusters += Math.ceil(directoryBytes(dir) / cluster);
    for (const file of files) clusters += Math.ceil(file.bytes.length / cluster);
    return clusters;
  }, rootEntries, align);

  // Clusters: each subdirectory, then each file, in one contiguous run each.
  const clusterBytes = geometry.sectorsPerCluster * FAT_SECTOR;
  const first = new Map<TreeNode, number>();
  const chains: [number, number][] = [];
  let next = 2;
  const allocate = (node: TreeNode, bytes: number) => {
    const count = Math.ceil(bytes / clusterBytes);
    first.set(node, count === 0 ? 0 : next);
    if (count > 0) chains.push([next, count]);
    next += count;
  };
  for (const dir of subdirectories) allocate(dir, directoryBytes(dir));
  for (const file of files) allocate(file, file.bytes.length);

  const image = Buffer.alloc(geometry.totalSectors * FAT_SECTOR);
  bootSector(geometry, label, volumeSerial(options, label)).copy(image, 0);
  const fat = fatTable(geometry, chains);
  for (let i = 0; i < geometry.fatCount; i++) fat.copy(image, (geometry.reservedSectors + i * geometry.sectorsPerFat) * FAT_SECTOR);
  const rootAt = (geometry.reservedSectors + geometry.fatCount * geometry.sectorsPerFat) * FAT_SECTOR;
  const clusterAt = (cluster: number) => (geometry.dataStart + (cluster - 2) * geometry.sectorsPerCluster) * FAT_SECTOR;
  const firstOf = (node: TreeNode) => first.get(node) ?? 0;

  let at = rootAt;
  putEntry(image, at, label, ATTR_VOLUME_ID, 0, 0, time);
  at += ENTRY;
  for (const child of childrenOf(root)) at = putChild(image, at, child, firstOf(child.node), time);
  const parents = new Map<TreeDirectory, TreeDirectory>();
  for (const dir of directories) for (const child of dir.children) if (child.kind === "directory") parents.set(child, dir);
  for (const dir of subdirectories) {
    at = clusterAt(firstOf(dir));
    const parent = parents.get(dir) ?? root;
    putEntry(image, at, Buffer.from(".          ", "latin1"), ATTR_DIRECTORY, firstOf(dir), 0, time);
    // ".." of a directory in the root points at cluster 0, the root's conventional number.
    putEntry(image, at + ENTRY, Buffer.from("..         ", "latin1"), ATTR_DIRECTORY, parent === root ? 0 : firstOf(parent), 0, time);
    at += 2 * ENTRY;
    for (const child of childrenOf(dir)) at = putChild(image, at, child, firstOf(child.node), time);
  }
  const offsets = new Map<string, number>();
  for (const file of files) {
    if (file.bytes.length === 0) continue;
    image.set(file.bytes, clusterAt(firstOf(file)));
    offsets.set(file.path, clusterAt(firstOf(file)));
  }
  return { image, offsets };
}

/** A child's long-name entries, if any, then its short entry; returns where the next child goes. */
function putChild(image: Buffer, at: number, child: FatChild, cluster: number, time: FatTimestamp): number {
  child.long.copy(image, at);
  const node = child.node;
  const shortAt = at + child.long.length;
  if (node.kind === "directory") putEntry(image, shortAt, child.short, ATTR_DIRECTORY, cluster, 0, time);
  else putEntry(image, shortAt, child.short, ATTR_ARCHIVE, cluster, node.bytes.length, time);
  return shortAt + ENTRY;
}

/** A 32-byte directory entry; created, accessed and written all at the epoch. */
function putEntry(image: Buffer, at: number, name: Buffer, attributes: number, cluster: number, size: number, time: FatTimestamp): void {
  name.copy(image, at);
  image[at + 11] = attributes;
  image[at + 13] = time.tenths;
  image.writeUInt16LE(time.time, at + 14);
  image.writeUInt16LE(time.date, at + 16);
  image.writeUInt16LE(time.date, at + 18);
  image.writeUInt16LE(0, at + 20); // high cluster word: FAT32 only
  image.writeUInt16LE(time.time, at + 22);
  image.writeUInt16LE(time.date, at + 24);
  image.writeUInt16LE(cluster, at + 26);
  image.writeUInt32LE(size, at + 28);
}

/** The boot sector with a FAT12/16 BPB and extended boot record; its code only gives up. */
function bootSector(g: FatGeometry, label: Buffer, serial: number): Buffer {
  const buf = Buffer.alloc(FAT_SECTOR);
  buf.set([0xeb, 0x3c, 0x90], 0); // jmp short 0x3e; nop
  buf.write("MSWIN4.1", 3, "latin1"); // the OEM name the specification recommends
  buf.writeUInt16LE(FAT_SECTOR, 11);
  buf[13] = g.sectorsPerCluster;
  buf.writeUInt16LE(g.reservedSectors, 14);
  buf[16] = g.fatCount;
  buf.writeUInt16LE(g.rootEntries, 17);
  buf.writeUInt16LE(g.totalSectors < 0x10000 ? g.totalSectors : 0, 19);
  buf[21] = 0xf8; // fixed media
  buf.writeUInt16LE(g.sectorsPerFat, 22);
  buf.writeUInt16LE(32, 24); // sectors per track: geometry nobody reads on an image
  buf.writeUInt16LE(64, 26); // heads
  buf.writeUInt32LE(0, 28); // hidden sectors
  buf.writeUInt32LE(g.totalSectors < 0x10000 ? 0 : g.totalSectors, 32);
  buf[36] = 0x80; // drive number
  buf[38] = 0x29; // the serial, label and type fields follow
  buf.writeUInt32LE(serial, 39);
  label.copy(buf, 43);
  buf.write(g.type === 12 ? "FAT12   " : "FAT16   ", 54, "latin1");
  buf.set([0xcd, 0x18, 0xeb, 0xfe], 0x3e); // int 18h (try the next boot device); jmp $
  buf[510] = 0x55;
  buf[511] = 0xaa;
  return buf;
}

/** One FAT: the media and end-of-chain marks in entries 0 and 1, then each chain. */
function fatTable(g: FatGeometry, chains: readonly [number, number][]): Buffer {
  const fat = Buffer.alloc(g.sectorsPerFat * FAT_SECTOR);
  const end = g.type === 12 ? 0xfff : 0xffff;
  const set = g.type === 12 ? (n: number, v: number) => setFat12(fat, n, v) : (n: number, v: number) => fat.writeUInt16LE(v, n * 2);
  set(0, (end & ~0xff) | 0xf8);
  set(1, end); // for FAT16 also "clean, no errors"
  for (const [start, count] of chains) {
    for (let i = 0; i < count - 1; i++) set(start + i, start + i + 1);
    set(start + count - 1, end);
  }
  return fat;
}

function setFat12(fat: Buffer, n: number, value: number): void {
  const at = Math.floor((n * 3) / 2);
  if (n % 2 === 0) {
    fat[at] = value & 0xff;
    fat[at + 1] = ((fat[at + 1] ?? 0) & 0xf0) | (value >> 8);
  } else {
    fat[at] = ((fat[at] ?? 0) & 0x0f) | ((value & 0x0f) << 4);
    fat[at + 1] = value >> 4;
  }
}

/** A volume serial from the content, so the same files give the same image. */
function volumeSerial(options: FatOptions, label: Buffer): number {
  const hash = createHash("sha256").update(label).update(`\0${options.epoch}\0`);
  for (const file of [...options.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0${file.bytes.length}\0`).update(file.bytes);
  }
  return hash.digest().readUInt32LE(0);
}
