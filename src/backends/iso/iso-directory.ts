import type { TreeDirectory, TreeNode } from "./file-tree.js";
import { isoIdentifier } from "./iso-names.js";
import { type CalendarTime, putBoth16, putBoth32, putRecordDate, SECTOR } from "./iso-fields.js";

/** Where a file's or directory's extent is and how long it is, in bytes. */
export interface Extent {
  readonly lba: number;
  readonly size: number;
}

/** One directory record to write: the identifier's bytes (0x00 is ".", 0x01 is ".."). */
interface RecordSpec {
  readonly identifier: Buffer;
  readonly extent: Extent;
  readonly directory: boolean;
}

/** ECMA-119 9.1: 33 fixed bytes, the identifier, and a pad byte when its length is even. */
function recordLength(identifierLength: number): number {
  return 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0);
}

/**
 * The size of a directory's extent: "." and "..", then one record per child in order, a record
 * never crossing a sector boundary (ECMA-119 6.8.1.1), rounded up to whole sectors. It depends
 * only on the names, so the layout can be planned before any address is known.
 */
export function directorySize(dir: TreeDirectory): number {
  const lengths = [1, 1, ...dir.children.map((c) => Buffer.byteLength(isoIdentifier(c), "latin1"))].map(recordLength);
  let at = 0;
  for (const length of lengths) {
    if ((at % SECTOR) + length > SECTOR) at += SECTOR - (at % SECTOR);
    at += length;
  }
  return Math.ceil(at / SECTOR) * SECTOR;
}

/**
 * A directory's extent: the "." record, the ".." record (the root's parent is itself), then
 * the children in the order they are in (sorted by ECMA-119 9.3 before), zero padded.
 */
export function encodeDirectory(dir: TreeDirectory, parent: TreeDirectory, extentOf: (node: TreeNode) => Extent, time: CalendarTime): Buffer {
  const specs: RecordSpec[] = [
    { identifier: Buffer.from([0]), extent: extentOf(dir), directory: true },
    { identifier: Buffer.from([1]), extent: extentOf(parent), directory: true },
    ...dir.children.map((child) => ({ identifier: Buffer.from(isoIdentifier(child), "latin1"), extent: extentOf(child), directory: child.kind === "directory" })),
  ];
  const buf = Buffer.alloc(directorySize(dir));
  let at = 0;
  for (const spec of specs) {
    const length = recordLength(spec.identifier.length);
    if ((at % SECTOR) + length > SECTOR) at += SECTOR - (at % SECTOR);
    putRecord(buf, at, spec, time);
    at += length;
  }
  return buf;
}

/** The 34-byte record of the root directory that the Primary Volume Descriptor holds. */
export function rootRecord(extent: Extent, time: CalendarTime): Buffer {
  const buf = Buffer.alloc(34);
  putRecord(buf, 0, { identifier: Buffer.from([0]), extent, directory: true }, time);
  return buf;
}

function putRecord(buf: Buffer, at: number, spec: RecordSpec, time: CalendarTime): void {
  const length = recordLength(spec.identifier.length);
  buf[at] = length;
  buf[at + 1] = 0; // no extended attribute record
  putBoth32(buf, at + 2, spec.extent.lba);
  putBoth32(buf, at + 10, spec.extent.size);
  putRecordDate(buf, at + 18, time);
  buf[at + 25] = spec.directory ? 0x02 : 0x00;
  buf[at + 26] = 0; // not interleaved
  buf[at + 27] = 0;
  putBoth16(buf, at + 28, 1); // volume sequence number
  buf[at + 32] = spec.identifier.length;
  spec.identifier.copy(buf, at + 33);
}

/**
 * The path table (ECMA-119 9.4), little endian for the type L table, big endian for type M:
 * one record per directory in `directories` order (by level, then parent, then name), each
 * naming its parent by its 1-based position in the table.
 */
export function pathTable(directories: readonly TreeDirectory[], parentOf: (dir: TreeDirectory) => TreeDirectory, lbaOf: (dir: TreeDirectory) => number, bigEndian: boolean): Buffer {
  const number = new Map(directories.map((d, i) => [d, i + 1]));
  const parts: Buffer[] = [];
  for (const dir of directories) {
    const identifier = dir.depth === 0 ? Buffer.from([0]) : Buffer.from(dir.name, "latin1");
    const buf = Buffer.alloc(8 + identifier.length + (identifier.length % 2));
    buf[0] = identifier.length;
    buf[1] = 0;
    const parentNumber = number.get(parentOf(dir)) ?? 1;
    if (parentNumber > 0xffff) throw new Error("ISO 9660: more than 65535 directories do not fit the path table");
    if (bigEndian) {
      buf.writeUInt32BE(lbaOf(dir), 2);
      buf.writeUInt16BE(parentNumber, 6);
    } else {
      buf.writeUInt32LE(lbaOf(dir), 2);
      buf.writeUInt16LE(parentNumber, 6);
    }
    identifier.copy(buf, 8);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}
