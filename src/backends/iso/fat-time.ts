/** FAT's packed date and time fields of one instant. */
export interface FatTimestamp {
  /** Bits 15-9 years since 1980, 8-5 month, 4-0 day. */
  readonly date: number;
  /** Bits 15-11 hours, 10-5 minutes, 4-0 seconds / 2. */
  readonly time: number;
  /** The creation time's hundredths of a second (0 to 199): the odd second FAT's time drops. */
  readonly tenths: number;
}

/** 1980-01-01T00:00:00Z, FAT's earliest date. */
const FAT_EPOCH_MIN = 315532800;
/** 2107-12-31T23:59:58Z, its latest. */
const FAT_EPOCH_MAX = 4354819198;

/**
 * SOURCE_DATE_EPOCH as FAT stores it, in UTC (FAT has no time zone; UTC keeps the bytes
 * independent of the machine's). Epochs before 1980, like the common 0, become 1980-01-01.
 */
export function fatTimestamp(epoch: number): FatTimestamp {
  if (!Number.isInteger(epoch)) throw new Error(`FAT: the epoch ${epoch} is not a whole number of seconds`);
  const date = new Date(Math.min(Math.max(epoch, FAT_EPOCH_MIN), FAT_EPOCH_MAX) * 1000);
  const second = date.getUTCSeconds();
  return {
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (second >> 1),
    tenths: (second % 2) * 100,
  };
}
