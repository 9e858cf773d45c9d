import { SECTOR } from "./iso-fields.js";

/** El Torito 2.0's platform id of PC BIOS images, in the validation entry or a section header. */
export const PLATFORM_X86 = 0x00;
/** The platform id UEFI adds for EFI images (UEFI specification, "Media boot"). */
export const PLATFORM_EFI = 0xef;

/**
 * 512-byte sectors loaded by the BIOS for isolinux: 4 (one CD sector), as `-boot-load-size 4`
 * and isolinux's own documentation ask; isolinux loads the rest itself, using the boot info
 * table.
 */
export const BIOS_LOAD_SECTORS = 4;

/** One no-emulation boot entry of the catalog. */
export interface BootEntry {
  readonly platform: number;
  /** The image's first sector (2048-byte LBA). */
  readonly lba: number;
  /** The count of 512-byte sectors the entry declares. */
  readonly sectors: number;
}

/**
 * The sector count declared for an EFI System Partition image: its size in 512-byte sectors
 * as El Torito says, and 0 when that does not fit the 16-bit field, as xorriso writes too.
 * OVMF (EDK2's partition driver) reads a no-emulation count in the medium's 2048-byte blocks,
 * and takes a count below 2 as "to the end of the medium", so both forms give it a partition
 * that covers the whole image; its FAT driver then keeps to the size the FAT's boot sector
 * states.
 */
export function efiLoadSectors(imageBytes: number): number {
  const sectors = Math.ceil(imageBytes / 512);
  return sectors > 0xffff ? 0 : sectors;
}

/** El Torito 2.0 section 2.0: the Boot Record Volume Descriptor, pointing at the catalog. */
export function bootRecordDescriptor(catalogLba: number): Buffer {
  const buf = Buffer.alloc(SECTOR);
  buf[0] = 0;
  buf.write("CD001", 1, "latin1");
  buf[6] = 1;
  buf.write("EL TORITO SPECIFICATION", 7, "latin1");
  buf.writeUInt32LE(catalogLba, 0x47);
  return buf;
}

/**
 * The boot catalog (El Torito 2.0 section 2.x), one sector: the validation entry, the
 * initial/default entry (the first image), and, for a second image, one final section header
 * with its platform and one section entry. Every entry is bootable, no emulation, loaded at
 * the default segment (0, meaning 0x7C0).
 */
export function bootCatalog(entries: readonly BootEntry[]): Buffer {
  const [first, ...rest] = entries;
  if (first === undefined) throw new Error("El Torito: a boot catalog needs at least one image");
  if (rest.length > 1) throw new Error("El Torito: at most two boot images (BIOS and EFI) are written");
  const buf = Buffer.alloc(SECTOR);
  // Validation entry: header id 1, platform, id string (empty), checksum, 0x55 0xAA.
  buf[0] = 0x01;
  buf[1] = first.platform;
  buf[30] = 0x55;
  buf[31] = 0xaa;
  let sum = 0;
  for (let at = 0; at < 32; at += 2) sum = (sum + buf.readUInt16LE(at)) & 0xffff;
  buf.writeUInt16LE((0x10000 - sum) & 0xffff, 28);
  putEntry(buf, 32, first);
  const second = rest[0];
  if (second !== undefined) {
    // Section header: 0x91 = the final header, its platform, one entry, id string (empty).
    buf[64] = 0x91;
    buf[65] = second.platform;
    buf.writeUInt16LE(1, 66);
    putEntry(buf, 96, second);
  }
  return buf;
}

function putEntry(buf: Buffer, at: number, entry: BootEntry): void {
  if (entry.sectors < 0 || entry.sectors > 0xffff) throw new Error(`El Torito: ${entry.sectors} sectors do not fit a boot entry`);
  buf[at] = 0x88; // bootable
  buf[at + 1] = 0; // no emulation
  buf.writeUInt16LE(0, at + 2); // load segment: the default, 0x7C0
  buf[at + 4] = 0; // system type: unused without emulation
  buf.writeUInt16LE(entry.sectors, at + 6);
  buf.writeUInt32LE(entry.lba, at + 8);
}

/**
 * A copy of isolinux.bin with the boot info table that `mkisofs -boot-info-table` writes:
 * at byte 8, the LBA of the Primary Volume Descriptor, the LBA of the file, its length, and
 * the 32-bit sum of its little-endian words from byte 64 on; then 40 zero bytes. isolinux
 * reads it to load the rest of itself, since the BIOS loads only its first 2048 bytes. The
 * caller's bytes are never changed.
 */
export function withBootInfoTable(image: Uint8Array, pvdLba: number, fileLba: number): Buffer {
  if (image.length < 64) throw new Error(`El Torito: a BIOS boot image of ${image.length} bytes has no room for the boot info table`);
  const copy = Buffer.from(image);
  let sum = 0;
  for (let at = 64; at < copy.length; at += 4) {
    const word = at + 4 <= copy.length ? copy.readUInt32LE(at) : Buffer.concat([copy.subarray(at), Buffer.alloc(4)]).readUInt32LE(0);
    sum = (sum + word) >>> 0;
  }
  copy.writeUInt32LE(pvdLba, 8);
  copy.writeUInt32LE(fileLba, 12);
  copy.writeUInt32LE(copy.length, 16);
  copy.writeUInt32LE(sum, 20);
  copy.fill(0, 24, 64);
  return copy;
}
