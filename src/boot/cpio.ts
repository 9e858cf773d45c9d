/**
 * The "newc" cpio format (magic `070701`), the one the Linux kernel unpacks as an initramfs.
 * Every field is eight ASCII hex digits, so the archive's bytes are a function of the entries
 * and the epoch alone: inodes are numbered from 1 in entry order, every mtime is the epoch,
 * the device of the archive's own file system is 0, and there are no hard links.
 */

/** One entry of a cpio archive; `path` is absolute (`/usr/bin/curl`), written without its `/`. */
export type CpioEntry =
  | { readonly kind: "directory"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number }
  | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly uid: number; readonly gid: number; readonly data: Uint8Array }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string; readonly uid: number; readonly gid: number }
  | {
      readonly kind: "char-device";
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly major: number;
      readonly minor: number;
    };

/** The file type bits of `st_mode`, as cpio stores them beside the permissions. */
const TYPE_BITS = { directory: 0o040000, file: 0o100000, symlink: 0o120000, "char-device": 0o020000 } as const;

const MAGIC = "070701";
const TRAILER = "TRAILER!!!";

/**
 * The archive as chunks (headers, names, contents, padding), entries in the given order, which
 * must put parents before children (the kernel creates each path as it reads it), then the
 * trailer. Directories have nlink 2, everything else 1. Pure.
 */
export function newcArchive(entries: readonly CpioEntry[], epoch: number): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  const push = (chunk: Buffer) => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  const pad = () => {
    if (offset % 4 !== 0) push(Buffer.alloc(4 - (offset % 4)));
  };
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (!entry.path.startsWith("/") || entry.path === "/") throw new Error(`cpio: not an absolute path below /: ${entry.path}`);
    if (seen.has(entry.path)) throw new Error(`cpio: ${entry.path} given twice`);
    seen.add(entry.path);
    const data = contentOf(entry);
    push(header(entry.path.slice(1), {
      ino: index + 1,
      mode: TYPE_BITS[entry.kind] | (entry.kind === "symlink" ? 0o777 : entry.mode & 0o7777),
      uid: entry.uid,
      gid: entry.gid,
      nlink: entry.kind === "directory" ? 2 : 1,
      mtime: epoch,
      size: data.length,
      rdevMajor: entry.kind === "char-device" ? entry.major : 0,
      rdevMinor: entry.kind === "char-device" ? entry.minor : 0,
    }));
    pad();
    if (data.length > 0) {
      push(Buffer.from(data.buffer, data.byteOffset, data.length));
      pad();
    }
  });
  push(header(TRAILER, { ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, rdevMajor: 0, rdevMinor: 0 }));
  pad();
  return chunks;
}

interface HeaderFields {
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly mtime: number;
  readonly size: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
}

/** The 110-byte header and the NUL-terminated name (padding is added by the caller). */
function header(name: string, f: HeaderFields): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, "utf8");
  const fields = [f.ino, f.mode, f.uid, f.gid, f.nlink, f.mtime, f.size, 0, 0, f.rdevMajor, f.rdevMinor, nameBytes.length, 0];
  return Buffer.concat([Buffer.from(MAGIC + fields.map(hex8).join(""), "ascii"), nameBytes]);
}

function hex8(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`cpio: ${value} does not fit a newc field`);
  return value.toString(16).padStart(8, "0");
}

/** What follows the header: a file's bytes, a link's target (no NUL), nothing otherwise. */
function contentOf(entry: CpioEntry): Uint8Array {
  if (entry.kind === "file") return entry.data;
  if (entry.kind === "symlink") return Buffer.from(entry.target, "utf8");
  return new Uint8Array(0);
}
