// A GPT disk around one partition: the protective MBR, the primary GPT header and entries, the
// partition at 1 MiB, the backup entries and header at the end (UEFI specification 2.10, chapter
// 5). GUIDs are hashes of the name and the partition's bytes' length, so the same inputs give the
// same disk. Pure.
import { createHash } from "node:crypto";

const SECTOR = 512;
const ENTRIES = 128;
const ENTRY_SIZE = 128;
const ENTRY_SECTORS = (ENTRIES * ENTRY_SIZE) / SECTOR;
/** The partition starts at 1 MiB, as partitioning tools align it. */
const FIRST = 2048;

/** The EFI System Partition's type GUID, C12A7328-F81F-11D2-BA4B-00A0C93EC93B. */
export const ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";

/** A GUID's 16 bytes as GPT stores them: the first three fields little-endian. */
export function guidBytes(guid: string): Uint8Array {
  const hex = guid.replace(/-/g, "");
  const b = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  if (b.length !== 16) throw new Error(`not a GUID: ${guid}`);
  return Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
}

/** A version 4 GUID (its variant and version bits set) hashed from `seed`. */
function hashedGuid(seed: string): Uint8Array {
  const b = createHash("sha256").update(seed).digest().subarray(0, 16);
  b[7] = ((b[7] as number) & 0x0f) | 0x40; // version 4, in the third field's high byte (little-endian)
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return Uint8Array.from(b);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), as GPT's header and entry checksums use. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The disk: chunks in order that make `bytes` in all (the partition is `partition` itself, not
 * copied). The disk is a whole number of MiB.
 */
export function gptDisk(options: { name: string; partition: Uint8Array; type: string; label: string }): { bytes: number; chunks: Uint8Array[] } {
  const partSectors = Math.ceil(options.partition.length / SECTOR);
  const needed = FIRST + partSectors + ENTRY_SECTORS + 1;
  const total = Math.ceil(needed / 2048) * 2048;
  const last = total - 1;
  const partLast = FIRST + partSectors - 1;

  const mbr = new Uint8Array(SECTOR);
  const m = new DataView(mbr.buffer);
  mbr.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 446);
  m.setUint32(446 + 8, 1, true);
  m.setUint32(446 + 12, Math.min(total - 1, 0xffffffff), true);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;

  const entries = new Uint8Array(ENTRIES * ENTRY_SIZE);
  entries.set(guidBytes(options.type), 0);
  entries.set(hashedGuid(`mcc gpt partition ${options.name} ${options.partition.length}`), 16);
  const e = new DataView(entries.buffer);
  e.setBigUint64(32, BigInt(FIRST), true);
  e.setBigUint64(40, BigInt(partLast), true);
  const name = options.label.slice(0, 36);
  for (let i = 0; i < name.length; i++) e.setUint16(56 + 2 * i, name.charCodeAt(i), true);
  const entriesCrc = crc32(entries);
  const disk = hashedGuid(`mcc gpt disk ${options.name} ${options.partition.length}`);

  const header = (current: number, backup: number, entriesAt: number) => {
    const h = new Uint8Array(SECTOR);
    const v = new DataView(h.buffer);
    h.set(new TextEncoder().encode("EFI PART"), 0);
    v.setUint32(8, 0x00010000, true);
    v.setUint32(12, 92, true);
    v.setBigUint64(24, BigInt(current), true);
    v.setBigUint64(32, BigInt(backup), true);
    v.setBigUint64(40, BigInt(2 + ENTRY_SECTORS), true); // first usable LBA
    v.setBigUint64(48, BigInt(last - ENTRY_SECTORS - 1), true); // last usable LBA
    h.set(disk, 56);
    v.setBigUint64(72, BigInt(entriesAt), true);
    v.setUint32(80, ENTRIES, true);
    v.setUint32(84, ENTRY_SIZE, true);
    v.setUint32(88, entriesCrc, true);
    v.setUint32(16, crc32(h.subarray(0, 92)), true);
    return h;
  };
  const gap = (sectors: number) => new Uint8Array(sectors * SECTOR);
  const padding = partSectors * SECTOR - options.partition.length;
  const chunks = [
    mbr,
    header(1, last, 2),
    entries,
    gap(FIRST - 2 - ENTRY_SECTORS),
    options.partition,
    new Uint8Array(padding),
    gap(last - ENTRY_SECTORS - partLast - 1),
    entries,
    header(last, 1, last - ENTRY_SECTORS),
  ];
  return { bytes: total * SECTOR, chunks };
}
