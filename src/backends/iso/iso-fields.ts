/** A logical sector (and logical block) of an ISO 9660 volume, in bytes. */
export const SECTOR = 2048;

/** Sectors needed for `bytes` bytes. */
export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}

/** ECMA-119 7.3.3: a 32-bit number both-byte order (little endian, then big endian). */
export function putBoth32(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value, at);
  buf.writeUInt32BE(value, at + 4);
}

/** ECMA-119 7.2.3: a 16-bit number both-byte order. */
export function putBoth16(buf: Buffer, at: number, value: number): void {
  buf.writeUInt16LE(value, at);
  buf.writeUInt16BE(value, at + 2);
}

/** Writes `text` at `at`, padded with spaces to `length` bytes (identifier fields). */
export function putPadded(buf: Buffer, at: number, length: number, text: string): void {
  buf.write(text.padEnd(length, " ").slice(0, length), at, length, "latin1");
}

/** The epoch's calendar fields in UTC; mcc's images carry no time zone. */
export interface CalendarTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * Splits SOURCE_DATE_EPOCH into calendar fields. The directory record's date holds years
 * 1900 to 2155 in one byte, so later epochs (and negative or fractional ones) are refused.
 */
export function calendarOf(epoch: number): CalendarTime {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`ISO 9660: the epoch ${epoch} is not a whole number of seconds since 1970`);
  const date = new Date(epoch * 1000);
  const year = date.getUTCFullYear();
  if (year > 2155) throw new Error(`ISO 9660: the epoch ${epoch} is after 2155, which directory records cannot hold`);
  return {
    year,
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** ECMA-119 8.4.26.1: the 17-byte volume date, `YYYYMMDDHHMMSScc` and the UTC offset (0). */
export function putVolumeDate(buf: Buffer, at: number, time: CalendarTime): void {
  const two = (n: number) => String(n).padStart(2, "0");
  const text = `${String(time.year).padStart(4, "0")}${two(time.month)}${two(time.day)}${two(time.hour)}${two(time.minute)}${two(time.second)}00`;
  buf.write(text, at, 16, "latin1");
  buf[at + 16] = 0;
}

/** ECMA-119 8.4.26.1: a date "not specified": sixteen ASCII zeros and a zero offset. */
export function putNoDate(buf: Buffer, at: number): void {
  buf.write("0".repeat(16), at, 16, "latin1");
  buf[at + 16] = 0;
}

/** ECMA-119 9.1.5: the 7-byte recording date of a directory record. */
export function putRecordDate(buf: Buffer, at: number, time: CalendarTime): void {
  buf[at] = time.year - 1900;
  buf[at + 1] = time.month;
  buf[at + 2] = time.day;
  buf[at + 3] = time.hour;
  buf[at + 4] = time.minute;
  buf[at + 5] = time.second;
  buf[at + 6] = 0;
}
