// An ext4 file system, written from nothing: what `mcc disk` puts on a volume's disk so that
// nobody needs mkfs, and the file system of a disk that carries files (the debugging toolkit
// for appliances). The bytes are a function of the size, the label and the files alone (the
// UUID is a hash of them, every time is 0), so two runs write the same image. Pure.
//
// The layout follows the kernel's ext4 documentation (Documentation/filesystems/ext4): 4 KiB
// blocks, 32768 blocks per group, 256-byte inodes, features filetype and extents (incompat),
// sparse_super and large_file (ro_compat), no journal and no checksums (so the kernel needs
// neither jbd2 nor crc32c to mount it). Group 0 holds the superblock, the group descriptors,
// the bitmaps, the inode table, and the root and lost+found directories' blocks; what the
// files hold follows, block after block, in the order of their paths, each file in as few
// extents as the groups' own metadata allows. Directories are linear (no hash index).
import { createHash } from "node:crypto";

const BLOCK = 4096;
const BLOCKS_PER_GROUP = 32768;
const INODE_SIZE = 256;
const DESC_SIZE = 32;
const FIRST_INO = 11;
const ROOT_INO = 2;
const LOST_FOUND_INO = 11;
const EXTENTS_FL = 0x80000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const FT = { file: 1, dir: 2, symlink: 7 } as const;
/** The longest extent (initialized) and how many fit in the inode and in one leaf block. */
const MAX_EXTENT = 32768;
const INODE_EXTENTS = 4;
const LEAF_EXTENTS = (BLOCK - 12) / 12;
/** A symlink target shorter than this lives in the inode itself. */
const FAST_SYMLINK = 60;

/** The smallest and largest disks `mcc disk` writes: one block group at least, 2^32 blocks at most (no 64bit feature). */
export const EXT4_MIN_BYTES = 1024 * 1024 * 8;
export const EXT4_MAX_BYTES = BLOCK * 2 ** 32 - BLOCK;

export interface Ext4Options {
  /** The size of the disk, a multiple of 4096. */
  readonly bytes: number;
  /** The volume label, at most 16 bytes. */
  readonly label: string;
  /** What it holds besides `/` and `/lost+found`: absolute paths, a directory before what it holds. */
  readonly entries?: readonly Ext4Entry[];
}

/** A file, directory or symlink of the file system. */
export type Ext4Entry = {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
} & ({ readonly kind: "dir" } | { readonly kind: "file"; readonly data: Uint8Array } | { readonly kind: "symlink"; readonly target: string });

/** A label the init can find: 1 to 16 bytes of letters, digits, `.`, `_` and `-`. */
export function labelProblem(label: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,16}$/.test(label)) return "a label is 1 to 16 letters, digits, '.', '_' or '-'";
  return undefined;
}

/** An empty file system: `/` and `/lost+found`. */
export function emptyExt4(options: Omit<Ext4Options, "entries">): { bytes: number; chunks: { at: number; data: Uint8Array }[] } {
  return ext4Image(options);
}

/** One inode of the image being laid out. */
interface Node {
  readonly ino: number;
  readonly kind: "dir" | "file" | "symlink";
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** A directory's entries: inode, name, file type. */
  readonly children: [number, string, number][];
  links: number;
  /** What its blocks hold (a directory's entries, a file's bytes, a long symlink's target). */
  data: Uint8Array;
  /** A short symlink's target, kept in the inode. */
  readonly fast?: Uint8Array;
  runs: { start: number; length: number }[];
  leaf?: number;
}

/**
 * The image, as the blocks that are not zero (`at` in bytes) and its total size: a writer puts
 * them at their offsets of a sparse file of `bytes`. Throws when the entries do not form a tree
 * (a path before its directory, a name twice) or do not fit the disk.
 */
export function ext4Image(options: Ext4Options): { bytes: number; chunks: { at: number; data: Uint8Array }[] } {
  const { bytes, label } = options;
  if (!Number.isSafeInteger(bytes) || bytes % BLOCK !== 0 || bytes < EXT4_MIN_BYTES || bytes > EXT4_MAX_BYTES) throw new Error(`an ext4 disk is a multiple of 4096 bytes from ${EXT4_MIN_BYTES} to ${EXT4_MAX_BYTES}, not ${bytes}`);
  const problem = labelProblem(label);
  if (problem !== undefined) throw new Error(problem);
  const blocks = bytes / BLOCK;
  const groups = Math.ceil(blocks / BLOCKS_PER_GROUP);
  // The last group must hold its metadata and some room; a smaller tail is left out.
  const lastSize = blocks - (groups - 1) * BLOCKS_PER_GROUP;
  const groupCount = groups > 1 && lastSize < 1024 ? groups - 1 : groups;
  const totalBlocks = groups > 1 && lastSize < 1024 ? (groups - 1) * BLOCKS_PER_GROUP : blocks;
  const inodesPerGroup = Math.min(8192, Math.floor(Math.min(BLOCKS_PER_GROUP, totalBlocks) / 4 / 16) * 16);
  const inodeTableBlocks = (inodesPerGroup * INODE_SIZE) / BLOCK;
  const descBlocks = Math.ceil((groupCount * DESC_SIZE) / BLOCK);
  const hasSuper = (g: number) => g === 0 || g === 1 || [3, 5, 7].some((base) => isPowerOf(g, base));

  // Each group: [superblock + descriptors if a backup group], block bitmap, inode bitmap, inode table.
  const layout = Array.from({ length: groupCount }, (_, g) => {
    const start = g * BLOCKS_PER_GROUP;
    const size = Math.min(BLOCKS_PER_GROUP, totalBlocks - start);
    const meta = hasSuper(g) ? 1 + descBlocks : 0;
    const blockBitmap = start + meta;
    return { start, size, meta, blockBitmap, inodeBitmap: blockBitmap + 1, inodeTable: blockBitmap + 2, used: meta + 2 + inodeTableBlocks };
  });
  const totalInodes = inodesPerGroup * groupCount;

  // The tree: / (inode 2), /lost+found (11), then each entry in the order given, from 12.
  const nodes: Node[] = [];
  const byPath = new Map<string, Node>();
  const node = (ino: number, kind: Node["kind"], mode: number, uid: number, gid: number, extra: Partial<Node> = {}): Node => {
    const n: Node = { ino, kind, mode, uid, gid, children: [], links: kind === "dir" ? 2 : 1, data: new Uint8Array(0), runs: [], ...extra };
    nodes.push(n);
    return n;
  };
  const root = node(ROOT_INO, "dir", 0o755, 0, 0);
  root.children.push([ROOT_INO, ".", FT.dir], [ROOT_INO, "..", FT.dir]);
  byPath.set("/", root);
  const lostFound = node(LOST_FOUND_INO, "dir", 0o700, 0, 0);
  lostFound.children.push([LOST_FOUND_INO, ".", FT.dir], [ROOT_INO, "..", FT.dir]);
  root.children.push([LOST_FOUND_INO, "lost+found", FT.dir]);
  root.links++;
  byPath.set("/lost+found", lostFound);
  let next = FIRST_INO + 1;
  for (const e of options.entries ?? []) {
    const names = e.path.split("/").slice(1);
    if (!e.path.startsWith("/") || names.some((n) => n === "" || n === "." || n === ".." || new TextEncoder().encode(n).length > 255)) throw new Error(`not a path an ext4 file system holds: ${JSON.stringify(e.path)}`);
    const parentPath = `/${names.slice(0, -1).join("/")}`;
    const parent = byPath.get(parentPath);
    if (parent === undefined || parent.kind !== "dir") throw new Error(`${e.path}: its directory ${parentPath} is not given before it`);
    if (byPath.has(e.path)) throw new Error(`${e.path} is given twice`);
    if (next > totalInodes) throw new Error(`the disk of ${bytes} bytes holds at most ${totalInodes - FIRST_INO} files and directories`);
    const perm = e.mode & 0o7777;
    const name = names[names.length - 1] as string;
    let n: Node;
    if (e.kind === "dir") {
      n = node(next, "dir", perm, e.uid, e.gid);
      n.children.push([n.ino, ".", FT.dir], [parent.ino, "..", FT.dir]);
      parent.links++;
    } else if (e.kind === "file") {
      n = node(next, "file", perm, e.uid, e.gid, { data: e.data });
    } else {
      const target = new TextEncoder().encode(e.target);
      if (target.length === 0 || target.length >= BLOCK) throw new Error(`${e.path}: a symlink's target is 1 to 4095 bytes`);
      n = node(next, "symlink", 0o777, e.uid, e.gid, target.length < FAST_SYMLINK ? { fast: target } : { data: target });
    }
    parent.children.push([n.ino, name, FT[e.kind]]);
    byPath.set(e.path, n);
    next++;
  }
  for (const n of nodes) if (n.kind === "dir") n.data = directoryBlocks(n.children);

  // Blocks, in inode order after group 0's metadata (so an empty disk's / and lost+found take
  // the first two), each file in runs that stop at a group's metadata or at the longest extent.
  let group = 0;
  let cursor = (layout[0] as (typeof layout)[number]).start + (layout[0] as (typeof layout)[number]).used;
  const allocated = new Array<number>(groupCount).fill(0);
  const allocate = (count: number): { start: number; length: number }[] => {
    const runs: { start: number; length: number }[] = [];
    while (count > 0) {
      const g = layout[group] as (typeof layout)[number];
      const end = g.start + g.size;
      if (cursor >= end) {
        group++;
        if (group >= groupCount) throw new Error(`the files do not fit a disk of ${bytes} bytes`);
        cursor = (layout[group] as (typeof layout)[number]).start + (layout[group] as (typeof layout)[number]).used;
        continue;
      }
      const length = Math.min(count, end - cursor, MAX_EXTENT);
      runs.push({ start: cursor, length });
      allocated[group] = (allocated[group] as number) + length;
      cursor += length;
      count -= length;
    }
    return runs;
  };
  for (const n of [...nodes].sort((a, b) => a.ino - b.ino)) {
    n.runs = allocate(Math.ceil(n.data.length / BLOCK));
    if (n.runs.length > LEAF_EXTENTS) throw new Error(`a file of ${n.data.length} bytes is too long for one extent leaf`);
    if (n.runs.length > INODE_EXTENTS) n.leaf = (allocate(1)[0] as { start: number }).start;
  }

  const usedBlocks = layout.map((g, i) => g.used + (allocated[i] as number));
  const freeBlocks = layout.map((g, i) => g.size - (usedBlocks[i] as number));
  const totalFree = freeBlocks.reduce((a, b) => a + b, 0);
  const lastIno = next - 1;
  const freeInodes = totalInodes - lastIno;
  const groupOf = (ino: number) => Math.floor((ino - 1) / inodesPerGroup);
  const uuid = createHash("sha256").update(`mcc ext4 ${bytes} ${label}`).digest().subarray(0, 16);
  uuid[6] = ((uuid[6] as number) & 0x0f) | 0x40; // a version 4 (random-looking) UUID
  uuid[8] = ((uuid[8] as number) & 0x3f) | 0x80;

  const superblock = (g: number) => {
    const sb = new Uint8Array(1024);
    const v = new DataView(sb.buffer);
    v.setUint32(0, totalInodes, true);
    v.setUint32(4, totalBlocks, true);
    v.setUint32(8, 0, true); // no blocks reserved for root: the volume is the program's
    v.setUint32(12, totalFree, true);
    v.setUint32(16, freeInodes, true);
    v.setUint32(20, 0, true); // s_first_data_block: 0 with 4 KiB blocks
    v.setUint32(24, 2, true); // s_log_block_size: 1024 << 2
    v.setUint32(28, 2, true); // s_log_cluster_size
    v.setUint32(32, BLOCKS_PER_GROUP, true);
    v.setUint32(36, BLOCKS_PER_GROUP, true);
    v.setUint32(40, inodesPerGroup, true);
    v.setInt16(54, -1, true); // s_max_mnt_count: no forced checks
    v.setUint16(56, 0xef53, true);
    v.setUint16(58, 1, true); // s_state: cleanly unmounted
    v.setUint16(60, 1, true); // s_errors: continue
    v.setUint32(76, 1, true); // s_rev_level: dynamic
    v.setUint32(84, FIRST_INO, true);
    v.setUint16(88, INODE_SIZE, true);
    v.setUint16(90, g, true); // s_block_group_nr of this copy
    v.setUint32(92, 0, true); // compat: none
    v.setUint32(96, 0x2 | 0x40, true); // incompat: filetype, extents
    v.setUint32(100, 0x1 | 0x2 | 0x40, true); // ro_compat: sparse_super, large_file, extra_isize
    sb.set(uuid, 104);
    sb.set(new TextEncoder().encode(label), 120);
    v.setUint16(348, 32, true); // s_min_extra_isize
    v.setUint16(350, 32, true); // s_want_extra_isize
    return sb;
  };

  const descriptors = new Uint8Array(descBlocks * BLOCK);
  layout.forEach((g, i) => {
    const v = new DataView(descriptors.buffer, i * DESC_SIZE, DESC_SIZE);
    const first = i * inodesPerGroup + 1;
    const usedInodes = Math.max(0, Math.min(lastIno, first + inodesPerGroup - 1) - first + 1);
    v.setUint32(0, g.blockBitmap, true);
    v.setUint32(4, g.inodeBitmap, true);
    v.setUint32(8, g.inodeTable, true);
    v.setUint16(12, freeBlocks[i] as number, true);
    v.setUint16(14, inodesPerGroup - usedInodes, true);
    v.setUint16(16, nodes.filter((n) => n.kind === "dir" && groupOf(n.ino) === i).length, true);
  });

  const chunks: { at: number; data: Uint8Array }[] = [];
  layout.forEach((g, i) => {
    if (g.meta > 0) {
      // Group 0's superblock sits 1024 bytes into the disk; a backup group's at its first byte.
      const first = new Uint8Array(BLOCK);
      first.set(superblock(i), i === 0 ? 1024 : 0);
      chunks.push({ at: g.start * BLOCK, data: first }, { at: (g.start + 1) * BLOCK, data: descriptors });
    }
    const blockBitmap = new Uint8Array(BLOCK);
    setBits(blockBitmap, 0, g.used);
    setBits(blockBitmap, g.size, BLOCK * 8); // past the end of a short last group
    const inodeBitmap = new Uint8Array(BLOCK);
    const first = i * inodesPerGroup + 1;
    setBits(inodeBitmap, 0, Math.max(0, Math.min(lastIno, first + inodesPerGroup - 1) - first + 1));
    setBits(inodeBitmap, inodesPerGroup, BLOCK * 8);
    chunks.push({ at: g.blockBitmap * BLOCK, data: blockBitmap }, { at: g.inodeBitmap * BLOCK, data: inodeBitmap });
  });
  const bitmapOf = (block: number) => chunks.find((c) => c.at === (layout[Math.floor(block / BLOCKS_PER_GROUP)] as (typeof layout)[number]).blockBitmap * BLOCK)?.data as Uint8Array;
  const markRun = (start: number, length: number) => {
    const g = Math.floor(start / BLOCKS_PER_GROUP);
    setBits(bitmapOf(start), start - g * BLOCKS_PER_GROUP, start - g * BLOCKS_PER_GROUP + length);
  };

  // The inode table's blocks that hold used inodes, and what each inode's blocks hold.
  const tableBlocks = new Map<number, Uint8Array>();
  for (const n of nodes) {
    const g = layout[groupOf(n.ino)] as (typeof layout)[number];
    const offset = ((n.ino - 1) % inodesPerGroup) * INODE_SIZE;
    const block = g.inodeTable + Math.floor(offset / BLOCK);
    let table = tableBlocks.get(block);
    if (table === undefined) tableBlocks.set(block, (table = new Uint8Array(BLOCK)));
    writeInode(new DataView(table.buffer, offset % BLOCK, INODE_SIZE), n);
    let at = 0;
    for (const run of n.runs) {
      markRun(run.start, run.length);
      chunks.push({ at: run.start * BLOCK, data: n.data.subarray(at, at + run.length * BLOCK) });
      at += run.length * BLOCK;
    }
    if (n.leaf !== undefined) {
      markRun(n.leaf, 1);
      const leaf = new Uint8Array(BLOCK);
      extents(new DataView(leaf.buffer), n.runs, LEAF_EXTENTS);
      chunks.push({ at: n.leaf * BLOCK, data: leaf });
    }
  }
  for (const [block, data] of tableBlocks) chunks.push({ at: block * BLOCK, data });
  return { bytes: totalBlocks * BLOCK, chunks: chunks.sort((a, b) => a.at - b.at) };
}

/** An inode: type and mode, owner, size, links, blocks, and its extents (or a short symlink's target). */
function writeInode(v: DataView, n: Node): void {
  const type = n.kind === "dir" ? S_IFDIR : n.kind === "file" ? S_IFREG : S_IFLNK;
  const size = n.kind === "dir" ? n.runs.reduce((s, r) => s + r.length, 0) * BLOCK : (n.fast ?? n.data).length;
  const sectors = (n.runs.reduce((s, r) => s + r.length, 0) + (n.leaf === undefined ? 0 : 1)) * (BLOCK / 512);
  v.setUint16(0, type | n.mode, true);
  v.setUint16(2, n.uid & 0xffff, true);
  v.setUint32(4, size % 2 ** 32, true);
  v.setUint16(24, n.gid & 0xffff, true);
  v.setUint16(26, n.links, true);
  v.setUint32(28, sectors, true); // i_blocks in 512-byte sectors
  v.setUint32(108, Math.floor(size / 2 ** 32), true); // i_size_high
  v.setUint16(120, Math.floor(n.uid / 65536), true);
  v.setUint16(122, Math.floor(n.gid / 65536), true);
  v.setUint16(128, 32, true); // i_extra_isize
  if (n.fast !== undefined) {
    new Uint8Array(v.buffer, v.byteOffset + 40, 60).set(n.fast);
    return;
  }
  v.setUint32(32, EXTENTS_FL, true);
  const iblock = new DataView(v.buffer, v.byteOffset + 40, 60);
  if (n.leaf === undefined) {
    extents(iblock, n.runs, INODE_EXTENTS);
    return;
  }
  // Depth 1: one index entry naming the leaf block that holds the extents.
  iblock.setUint16(0, 0xf30a, true);
  iblock.setUint16(2, 1, true);
  iblock.setUint16(4, INODE_EXTENTS, true);
  iblock.setUint16(6, 1, true); // depth
  iblock.setUint32(12, 0, true); // ei_block
  iblock.setUint32(16, n.leaf, true); // ei_leaf_lo
}

/** An extent header (depth 0, room for `max`) and one extent per run, in file order. */
function extents(v: DataView, runs: readonly { start: number; length: number }[], max: number): void {
  v.setUint16(0, 0xf30a, true);
  v.setUint16(2, runs.length, true);
  v.setUint16(4, max, true);
  v.setUint16(6, 0, true);
  let logical = 0;
  runs.forEach((run, i) => {
    const at = 12 + i * 12;
    v.setUint32(at, logical, true); // ee_block
    v.setUint16(at + 4, run.length, true); // ee_len
    v.setUint16(at + 6, Math.floor(run.start / 2 ** 32), true); // ee_start_hi
    v.setUint32(at + 8, run.start % 2 ** 32, true); // ee_start_lo
    logical += run.length;
  });
}

/** A directory's entries in blocks: none crosses a block, the last of each block stretched to its end. */
function directoryBlocks(entries: readonly (readonly [number, string, number])[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  let block = new Uint8Array(BLOCK);
  let at = 0;
  let last = -1;
  const stretch = () => {
    if (last >= 0) new DataView(block.buffer).setUint16(last + 4, BLOCK - last, true);
  };
  for (const [ino, name, type] of entries) {
    const encoded = new TextEncoder().encode(name);
    const length = (8 + encoded.length + 3) & ~3;
    if (at + length > BLOCK) {
      stretch();
      blocks.push(block);
      block = new Uint8Array(BLOCK);
      at = 0;
      last = -1;
    }
    const v = new DataView(block.buffer);
    v.setUint32(at, ino, true);
    v.setUint16(at + 4, length, true);
    v.setUint8(at + 6, encoded.length);
    v.setUint8(at + 7, type);
    block.set(encoded, at + 8);
    last = at;
    at += length;
  }
  stretch();
  blocks.push(block);
  return Buffer.concat(blocks);
}

function setBits(bitmap: Uint8Array, from: number, to: number): void {
  for (let bit = from; bit < Math.min(to, bitmap.length * 8); bit++) bitmap[bit >> 3] = (bitmap[bit >> 3] as number) | (1 << (bit & 7));
}

function isPowerOf(n: number, base: number): boolean {
  let x = base;
  while (x < n) x *= base;
  return x === n;
}
