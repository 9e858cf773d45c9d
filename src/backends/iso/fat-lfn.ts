/**
 * VFAT long-file-name (LFN) entries, as the Microsoft FAT specification ("FAT Long Directory
 * Entries") defines them. They come before the short entry they belong to and hold the name
 * in UCS-2, 13 characters each; drivers that know nothing of them skip them, as their
 * attributes (read-only, hidden, system, volume label) make them look like no file at all.
 */

/** The attributes that mark a long-name entry: read-only, hidden, system and volume label. */
export const ATTR_LONG_NAME = 0x0f;
/** Set in the sequence number of the last long-name entry of a name (the first on disk). */
export const LAST_LONG_ENTRY = 0x40;
/** The characters one entry holds. */
export const LONG_ENTRY_CHARACTERS = 13;
/** Where in a 32-byte entry each of its 13 UCS-2 characters goes: 5, then 6 after the attributes, type and checksum, then 2 after the cluster word. */
const CHARACTER_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] as const;

/** How many long-name entries `name` takes. */
export function longEntryCount(name: string): number {
  return Math.ceil(name.length / LONG_ENTRY_CHARACTERS);
}

/**
 * The checksum of an 11-byte short name that every long-name entry of the name carries, so a
 * driver can tell that the entries still belong to the short entry after them (an old driver
 * may have renamed or deleted it): rotate right by one bit, add the next byte, modulo 256.
 */
export function shortNameChecksum(short: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + (short[i] ?? 0)) & 0xff;
  return sum;
}

/**
 * The long-name entries of `name`, in the order they are on disk: the last part of the name
 * first (sequence number N with 0x40 set), down to the first (1), right before the short
 * entry `short`. The name is UCS-2 little endian; a last part shorter than 13 characters ends
 * with one 0x0000 and is filled with 0xFFFF. Type and cluster words are 0.
 */
export function longNameEntries(name: string, short: Uint8Array): Buffer {
  const count = longEntryCount(name);
  const checksum = shortNameChecksum(short);
  const out = Buffer.alloc(count * 32);
  for (let n = 1; n <= count; n++) {
    const at = (count - n) * 32;
    out[at] = n === count ? n | LAST_LONG_ENTRY : n;
    out[at + 11] = ATTR_LONG_NAME;
    out[at + 12] = 0;
    out[at + 13] = checksum;
    out.writeUInt16LE(0, at + 26);
    for (const [i, offset] of CHARACTER_OFFSETS.entries()) {
      const index = (n - 1) * LONG_ENTRY_CHARACTERS + i;
      const unit = index < name.length ? name.charCodeAt(index) : index === name.length ? 0x0000 : 0xffff;
      out.writeUInt16LE(unit, at + offset);
    }
  }
  return out;
}
