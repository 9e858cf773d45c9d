// An empty ext4 file system, written from nothing: what `mcc disk` puts on a volume's disk so
// that nobody needs mkfs. The bytes are a function of the size and label alone (the UUID is a
// hash of them, every time is 0), so two runs write the same image. Pure.
//
// The layout follows the kernel's ext4 documentation (Documentation/filesystems/ext4): 4 KiB
// blocks, 32768 blocks per group, 256-byte inodes, features filetype and extents (incompat),
// sparse_super and large_file (ro_compat), no journal and no checksums (so the kernel needs
// neither jbd2 nor crc32c to mount it). Group 0 holds the superblock, the group descriptors,
// the bitmaps, the inode table, and the root and lost+found directories' blocks.
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
const FT_DIR = 2;

/** The smallest and largest disks `mcc disk` writes: one block group at least, 2^32 blocks at most (no 64bit feature). */
export const EXT4_MIN_BYTES = 1024 * 1024 * 8;
export const EXT4_MAX_BYTES = BLOCK * 2 ** 32 - BLOCK;

export interface Ext4Options {
  /** The size of the disk, a multiple of 4096. */
  readonly bytes: number;
  /** The volume label, at most 16 bytes. */
  readonly label: string;
}

/** A label the init can find: 1 to 16 bytes of letters, digits, `.`, `_` and `-`. */
export function labelProblem(label: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,16}$/.test(label)) return "a label is 1 to 16 letters, digits, '.', '_' or '-'";
  return undefined;
}

/**
 * The image, as the blocks that are not zero (`at` in bytes) and its total size: a writer puts
 * them at their offsets of a sparse file of `bytes`.
 */
export function emptyExt4(options: Ext4Options): { bytes: number; chunks: { at: number; data: Uint8Array }[] } {
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
  const g0 = layout[0] as (typeof layout)[number];
  const rootBlock = g0.start + g0.used;
  const lostFoundBlock = rootBlock + 1;
  const usedBlocks = layout.map((g, i) => g.used + (i === 0 ? 2 : 0));
  const freeBlocks = layout.map((g, i) => g.size - (usedBlocks[i] as number));
  const totalFree = freeBlocks.reduce((a, b) => a + b, 0);
  const totalInodes = inodesPerGroup * groupCount;
  const freeInodes = totalInodes - FIRST_INO;
  const uuid = createHash("sha256").update(`mcc ext4 ${bytes} ${label}`).digest().subarray(0, 16);
  uuid[6] = ((uuid[6] as number) & 0x0f) | 0x40; // a version 4 (random-looking) UUID
  uuid[8] = ((uuid[8] as number) & 0x3f) | 0x80;

  const superblock = (group: number) => {
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
    v.setUint16(90, group, true); // s_block_group_nr of this copy
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
    v.setUint32(0, g.blockBitmap, true);
    v.setUint32(4, g.inodeBitmap, true);
    v.setUint32(8, g.inodeTable, true);
    v.setUint16(12, freeBlocks[i] as number, true);
    v.setUint16(14, inodesPerGroup - (i === 0 ? FIRST_INO : 0), true);
    v.setUint16(16, i === 0 ? 2 : 0, true); // directories: / and lost+found
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
    setBits(blockBitmap, 0, usedBlocks[i] as number);
    setBits(blockBitmap, g.size, BLOCK * 8); // past the end of a short last group
    const inodeBitmap = new Uint8Array(BLOCK);
    if (i === 0) setBits(inodeBitmap, 0, FIRST_INO);
    setBits(inodeBitmap, inodesPerGroup, BLOCK * 8);
    chunks.push({ at: g.blockBitmap * BLOCK, data: blockBitmap }, { at: g.inodeBitmap * BLOCK, data: inodeBitmap });
  });

  // The inode table's first block: inodes 1-16; the root (2) and lost+found (11) are directories.
  const inodes = new Uint8Array(BLOCK);
  const directory = (ino: number, block: number, links: number) => {
    const v = new DataView(inodes.buffer, (ino - 1) * INODE_SIZE, INODE_SIZE);
    v.setUint16(0, S_IFDIR | (ino === LOST_FOUND_INO ? 0o700 : 0o755), true);
    v.setUint32(4, BLOCK, true); // i_size
    v.setUint16(26, links, true);
    v.setUint32(28, BLOCK / 512, true); // i_blocks in 512-byte sectors
    v.setUint32(32, EXTENTS_FL, true);
    // i_block: an extent header (magic, 1 entry, room for 4, depth 0), then one extent.
    v.setUint16(40, 0xf30a, true);
    v.setUint16(42, 1, true);
    v.setUint16(44, 4, true);
    v.setUint16(46, 0, true);
    v.setUint32(52, 0, true); // ee_block
    v.setUint16(56, 1, true); // ee_len
    v.setUint16(58, 0, true); // ee_start_hi
    v.setUint32(60, block, true); // ee_start_lo
    v.setUint16(128, 32, true); // i_extra_isize
  };
  directory(ROOT_INO, rootBlock, 3);
  directory(LOST_FOUND_INO, lostFoundBlock, 2);
  chunks.push({ at: g0.inodeTable * BLOCK, data: inodes });
  chunks.push({ at: rootBlock * BLOCK, data: dirBlock([[ROOT_INO, "."], [ROOT_INO, ".."], [LOST_FOUND_INO, "lost+found"]]) });
  chunks.push({ at: lostFoundBlock * BLOCK, data: dirBlock([[LOST_FOUND_INO, "."], [ROOT_INO, ".."]]) });
  return { bytes: totalBlocks * BLOCK, chunks: chunks.sort((a, b) => a.at - b.at) };
}

/** A directory block of directory entries, the last stretched to the block's end. */
function dirBlock(entries: readonly (readonly [number, string])[]): Uint8Array {
  const out = new Uint8Array(BLOCK);
  const v = new DataView(out.buffer);
  let at = 0;
  entries.forEach(([ino, name], i) => {
    const encoded = new TextEncoder().encode(name);
    const length = i === entries.length - 1 ? BLOCK - at : (8 + encoded.length + 3) & ~3;
    v.setUint32(at, ino, true);
    v.setUint16(at + 4, length, true);
    v.setUint8(at + 6, encoded.length);
    v.setUint8(at + 7, FT_DIR);
    out.set(encoded, at + 8);
    at += length;
  });
  return out;
}

function setBits(bitmap: Uint8Array, from: number, to: number): void {
  for (let bit = from; bit < Math.min(to, bitmap.length * 8); bit++) bitmap[bit >> 3] = (bitmap[bit >> 3] as number) | (1 << (bit & 7));
}

function isPowerOf(n: number, base: number): boolean {
  let x = base;
  while (x < n) x *= base;
  return x === n;
}
