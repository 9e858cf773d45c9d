/**
 * The tar mcc writes (layers, docker and OCI archives): ustar headers, and a pax header for a path
 * that ustar cannot hold (over 100 bytes after moving leading directories to the 155-byte prefix,
 * a link target over 100 bytes, or a name that is not ASCII). The bytes are the ones tar-stream's
 * `pack` writes for the same entries, which mcc used before (test/formats/tar-writer.test.ts
 * compares them), so no layer digest moved.
 *
 * Written here rather than through a stream library so a layer is produced by pulling: each
 * header and each chunk of content is handed on and done with before the next is made, and a
 * file's content can be read into one buffer used again and again (backends/layer.ts).
 */

export interface TarHeader {
  /** Without a leading slash; a directory's ends with one. */
  readonly name: string;
  readonly type: "file" | "directory" | "symlink";
  /** Only the permission bits (07777) are written. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of content; 0 for a directory or a symlink. */
  readonly size: number;
  /** Seconds since 1970. */
  readonly mtime: number;
  readonly linkname?: string;
}

/** Two empty blocks end an archive. */
export const TAR_END: Uint8Array = new Uint8Array(1024);

const BLOCK = 512;
const TYPEFLAG = { file: "0", symlink: "2", directory: "5", pax: "x" } as const;
const encoder = new TextEncoder();

/** The header blocks of an entry: one ustar block, or a pax header, its records and the ustar block. Pure. */
export function tarHeader(header: TarHeader): Uint8Array {
  const split = ustarName(header.name);
  const linkFits = header.linkname === undefined || byteLength(header.linkname) <= 100;
  if (split !== undefined && linkFits) return ustarBlock(header, split.name, split.prefix, header.type, header.size, header.linkname);
  // tar-stream's form: both ustar blocks are named PaxHeader, and the records carry the real names.
  const records = encoder.encode(paxRecord("path", header.name) + (header.linkname ? paxRecord("linkpath", header.linkname) : ""));
  const link = header.linkname ? "PaxHeader" : undefined;
  const out = new Uint8Array(BLOCK + records.length + padding(records.length) + BLOCK);
  out.set(ustarBlock(header, "PaxHeader", "", "pax", records.length, link), 0);
  out.set(records, BLOCK);
  out.set(ustarBlock(header, "PaxHeader", "", header.type, header.size, link), out.length - BLOCK);
  return out;
}

/** How many zero bytes follow `size` bytes of content to end its last block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The name split into ustar's name and prefix fields, leading directories moved to the prefix one by one; undefined when it cannot be. */
function ustarName(path: string): { name: string; prefix: string } | undefined {
  if (byteLength(path) !== path.length) return undefined;
  let name = path;
  let prefix = "";
  while (name.length > 100) {
    const slash = name.indexOf("/");
    if (slash === -1) return undefined;
    prefix = prefix === "" ? name.slice(0, slash) : `${prefix}/${name.slice(0, slash)}`;
    name = name.slice(slash + 1);
  }
  return prefix.length > 155 ? undefined : { name, prefix };
}

function ustarBlock(header: TarHeader, name: string, prefix: string, type: keyof typeof TYPEFLAG, size: number, linkname: string | undefined): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, at: number) => block.set(encoder.encode(text).subarray(0, BLOCK - at), at);
  put(name, 0);
  put(octal(header.mode & 0o7777, 6), 100);
  put(octal(header.uid, 6), 108);
  put(octal(header.gid, 6), 116);
  if (size.toString(8).length > 11) {
    // Over 8 GiB: base-256, the first byte's high bit set.
    block[124] = 0x80;
    for (let i = 11, n = size; i > 0; i--, n = Math.floor(n / 256)) block[124 + i] = n % 256;
  } else {
    put(octal(size, 11), 124);
  }
  put(octal(header.mtime | 0, 11), 136);
  put(TYPEFLAG[type], 156);
  if (linkname) put(linkname, 157);
  put("ustar\u000000", 257);
  put(octal(0, 6), 329);
  put(octal(0, 6), 337);
  if (prefix !== "") put(prefix, 345);
  // The checksum counts its own field as eight spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i] as number;
  put(octal(sum, 6), 148);
  return block;
}

/** `digits` octal digits and a space; all sevens when the value does not fit. */
function octal(value: number, digits: number): string {
  const text = value.toString(8);
  return `${text.length > digits ? "7".repeat(digits) : text.padStart(digits, "0")} `;
}

/** A pax record: its own length in decimal, a space, key=value and a newline. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const length = byteLength(rest);
  let digits = 1;
  while (String(length + digits).length !== digits) digits++;
  return `${length + digits}${rest}`;
}

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

export interface TarEntry {
  readonly header: TarHeader;
  /** A file's content, exactly `header.size` bytes. */
  readonly content?: Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * The archive of the entries in order: each header, its content, the padding; then the end. A
 * chunk is the consumer's only until it asks for the next (content may be read into one buffer
 * over and over). Content that is not the size its header gives fails the archive.
 */
export async function* tarArchive(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncIterable<Uint8Array> {
  for await (const { header, content } of entries) {
    yield tarHeader(header);
    let size = 0;
    if (content instanceof Uint8Array) {
      size = content.length;
      if (size === header.size && size > 0) yield content;
    } else if (content !== undefined) {
      for await (const chunk of content) {
        size += chunk.length;
        if (size > header.size) break;
        yield chunk;
      }
    }
    if (size !== header.size) throw new Error(`${header.name}: its content is ${size > header.size ? "longer" : "shorter"} than the ${header.size} bytes its header gives`);
    const pad = padding(size);
    if (pad > 0) yield TAR_END.subarray(0, pad);
  }
  yield TAR_END;
}
