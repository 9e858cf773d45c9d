import type { Extent } from "./iso-directory.js";
import { rootRecord } from "./iso-directory.js";
import { type CalendarTime, putBoth16, putBoth32, putNoDate, putPadded, putVolumeDate, SECTOR } from "./iso-fields.js";

/** The fixed identifiers of every volume mcc writes: no host, user or tool version leaks in. */
const MCC_ID = "MCC";

/** What the Primary Volume Descriptor records about the volume. */
export interface PrimaryVolume {
  readonly volumeId: string;
  /** The whole volume, in 2048-byte sectors. */
  readonly sectors: number;
  readonly pathTableSize: number;
  readonly lPathTableLba: number;
  readonly mPathTableLba: number;
  readonly root: Extent;
  readonly time: CalendarTime;
}

/**
 * The Primary Volume Descriptor (ECMA-119 8.4). Creation, modification and effective dates
 * are the epoch; the expiration date is "not specified", so nothing but the epoch and the
 * content decides the bytes. Only one (L and M) path table each: the optional copies are 0.
 */
export function primaryDescriptor(volume: PrimaryVolume): Buffer {
  const buf = Buffer.alloc(SECTOR);
  buf[0] = 1;
  buf.write("CD001", 1, "latin1");
  buf[6] = 1;
  putPadded(buf, 8, 32, ""); // system identifier
  putPadded(buf, 40, 32, volume.volumeId);
  putBoth32(buf, 80, volume.sectors);
  putBoth16(buf, 120, 1); // volume set size
  putBoth16(buf, 124, 1); // volume sequence number
  putBoth16(buf, 128, SECTOR); // logical block size
  putBoth32(buf, 132, volume.pathTableSize);
  buf.writeUInt32LE(volume.lPathTableLba, 140);
  buf.writeUInt32BE(volume.mPathTableLba, 148);
  rootRecord(volume.root, volume.time).copy(buf, 156);
  putPadded(buf, 190, 128, MCC_ID); // volume set
  putPadded(buf, 318, 128, MCC_ID); // publisher
  putPadded(buf, 446, 128, MCC_ID); // data preparer
  putPadded(buf, 574, 128, MCC_ID); // application
  putPadded(buf, 702, 37, ""); // copyright file
  putPadded(buf, 739, 37, ""); // abstract file
  putPadded(buf, 776, 37, ""); // bibliographic file
  putVolumeDate(buf, 813, volume.time); // creation
  putVolumeDate(buf, 830, volume.time); // modification
  putNoDate(buf, 847); // expiration
  putVolumeDate(buf, 864, volume.time); // effective
  buf[881] = 1; // file structure version
  return buf;
}

/** The Volume Descriptor Set Terminator (ECMA-119 8.3). */
export function terminatorDescriptor(): Buffer {
  const buf = Buffer.alloc(SECTOR);
  buf[0] = 255;
  buf.write("CD001", 1, "latin1");
  buf[6] = 1;
  return buf;
}

/** A volume identifier must be 1 to 32 d-characters (ECMA-119 8.4.6); letters are folded up. */
export function checkVolumeId(volumeId: string): string {
  const folded = volumeId.replace(/[a-z]/g, (c) => c.toUpperCase());
  if (!/^[A-Z0-9_]{1,32}$/.test(folded)) {
    throw new Error(`ISO 9660: the volume id ${JSON.stringify(volumeId)} must be 1 to 32 of A-Z, 0-9 and _`);
  }
  return folded;
}
