/** FAT's sector, as every FAT image mcc writes uses it. */
export const FAT_SECTOR = 512;

/** Microsoft's FAT specification: fewer clusters than this is FAT12... */
const FAT12_LIMIT = 4085;
/** ...fewer than this is FAT16, and more is FAT32. */
const FAT16_LIMIT = 65525;
/**
 * The specification advises staying clear of the two limits, where drivers that compute
 * the count slightly differently disagree about the type; this is how far.
 */
const MARGIN = 16;

/** The shape of a FAT12 or FAT16 volume: what the boot sector's BPB records. */
export interface FatGeometry {
  readonly type: 12 | 16;
  readonly sectorsPerCluster: number;
  /** The boot sector, and padding that aligns the data region when asked to. */
  readonly reservedSectors: number;
  readonly fatCount: 2;
  /** Root directory entries, a multiple of 16 (whole sectors). */
  readonly rootEntries: number;
  readonly sectorsPerFat: number;
  readonly clusterCount: number;
  /** The first sector of the data region (cluster 2). */
  readonly dataStart: number;
  readonly totalSectors: number;
}

/**
 * Picks the smallest cluster (512 bytes to 32 KiB) whose volume is FAT12 or FAT16, sized to
 * the content plus a small slack (1/32 of it and 16 clusters). The type follows from the
 * cluster count alone, as the FAT specification says every driver must decide it; a count
 * near a limit is moved above it, so no driver can guess another type. `clustersFor` gives
 * the clusters the files and subdirectories need with a given cluster size.
 */
export function planFat(clustersFor: (clusterBytes: number) => number, rootEntriesNeeded: number, alignBytes = FAT_SECTOR): FatGeometry {
  const rootEntries = Math.max(32, Math.ceil(rootEntriesNeeded / 16) * 16);
  const rootSectors = (rootEntries * 32) / FAT_SECTOR;
  // Aligned files (see FatOptions.align): clusters of at least the alignment, and a data
  // region that starts on it, so every cluster does.
  const alignSectors = Math.max(1, alignBytes / FAT_SECTOR);
  for (let sectorsPerCluster = alignSectors; sectorsPerCluster <= 64; sectorsPerCluster *= 2) {
    const needed = clustersFor(sectorsPerCluster * FAT_SECTOR);
    let clusterCount = needed + Math.ceil(needed / 32) + 16;
    if (clusterCount >= FAT12_LIMIT - MARGIN && clusterCount < FAT12_LIMIT + MARGIN) clusterCount = FAT12_LIMIT + MARGIN;
    if (clusterCount >= FAT16_LIMIT - MARGIN) continue;
    const type = clusterCount < FAT12_LIMIT ? 12 : 16;
    const fatBytes = type === 12 ? Math.ceil(((clusterCount + 2) * 3) / 2) : (clusterCount + 2) * 2;
    const sectorsPerFat = Math.ceil(fatBytes / FAT_SECTOR);
    const unpadded = 1 + 2 * sectorsPerFat + rootSectors;
    const reservedSectors = 1 + ((alignSectors - (unpadded % alignSectors)) % alignSectors);
    const dataStart = unpadded + reservedSectors - 1;
    return { type, sectorsPerCluster, reservedSectors, fatCount: 2, rootEntries, sectorsPerFat, clusterCount, dataStart, totalSectors: dataStart + clusterCount * sectorsPerCluster };
  }
  throw new Error("FAT: the files need more than FAT16 holds with 32 KiB clusters (about 2 GiB); FAT32 is not written");
}
