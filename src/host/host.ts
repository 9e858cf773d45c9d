/**
 * Every effect mcc has on the world goes through a Host: the real one for the CLI, an
 * in-memory one for tests. Stages that must not touch the world never receive one.
 */
export interface FileStat {
  readonly kind: "file" | "directory" | "symlink" | "other";
  readonly size: number;
  /** When it was last written, in milliseconds since the epoch. */
  readonly modified: number;
  /** The permission bits. */
  readonly mode: number;
}

/** An answer to an HTTP GET: its status and headers, and its body as it arrives. */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** A header's value (the name in any case); undefined when absent. */
  header(name: string): string | undefined;
  readonly body: AsyncIterable<Uint8Array> | undefined;
  /** Lets go of a body that will not be read. */
  discard(): Promise<void>;
}

/** A file open for reads at any position, answered at once (a packages catalog, read record by record). */
export interface RandomFile {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end). */
  read(position: number, length: number): Uint8Array;
  /** Fills `target` from `position` (less of it at the end); the count of bytes read. */
  readInto(position: number, target: Uint8Array): number;
  /** Lets go of the file; one never closed is closed once nothing refers to it. */
  close(): void;
}

/** Bytes in memory, read as a RandomFile. Pure. */
export function bytesAsRandomFile(data: Uint8Array): RandomFile {
  const read = (position: number, length: number) => data.subarray(position, position + length);
  return {
    size: data.length,
    read,
    readInto(position, target) {
      const bytes = read(position, target.length);
      target.set(bytes);
      return bytes.length;
    },
    close() {},
  };
}

/** `size` bytes of a file from `start`, read as a RandomFile of their own; closing it closes the file. Pure. */
export function sliceOfRandomFile(file: RandomFile, start: number, size: number): RandomFile {
  const length = (position: number, wanted: number) => Math.max(0, Math.min(wanted, size - position));
  return {
    size,
    read: (position, wanted) => file.read(start + position, length(position, wanted)),
    readInto(position, target) {
      const n = length(position, target.length);
      return n === 0 ? 0 : file.readInto(start + position, target.subarray(0, n));
    },
    close: () => file.close(),
  };
}

export interface Host {
  /** Undefined when nothing is at the path. Follows symlinks. */
  stat(path: string): Promise<FileStat | undefined>;
  readFile(path: string): Promise<Uint8Array>;
  /** At most the first `length` bytes of a file (fewer when it is shorter): to recognise a format without reading it all. */
  readPrefix(path: string, length: number): Promise<Uint8Array>;
  /** Opens a file for reads at any position. */
  openRandom(path: string): Promise<RandomFile>;
  /** What is at the path itself, a symlink not followed; undefined when nothing is. */
  lstat(path: string): Promise<FileStat | undefined>;
  /** A symlink's target, as written. */
  readlink(path: string): Promise<string>;
  /** The path with every symlink resolved; undefined when it does not exist. */
  realpath(path: string): Promise<string | undefined>;
  /** The names in a directory, sorted; undefined when it does not exist. */
  readdir(path: string): Promise<string[] | undefined>;
  /** Writes beside the target and renames into place: readers see the old bytes or the new, never half. */
  writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
  /** The current time; the only clock mcc reads (for Valid-Until), so tests can set it. */
  now(): Date;

  // The build's effects. Their failures carry the system's error code (`code`: ENOENT,
  // EEXIST, ENOSPC, EACCES, ...), which the output writers report against the output.

  /** A file's bytes as they are read. */
  readStream(path: string): AsyncIterable<Uint8Array>;
  /**
   * Creates a file that must not exist yet, from bytes or a stream (each chunk written before
   * the next is asked for, so its producer may reuse the buffer); a failure leaves nothing.
   */
  createFile(path: string, content: Uint8Array | string | AsyncIterable<Uint8Array>): Promise<void>;
  /** Makes a directory and any missing parents; one already there is fine. */
  mkdir(path: string): Promise<void>;
  /** Moves a file or directory (atomically, within one file system), replacing a file at `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file, link or whole directory; nothing there is fine. */
  remove(path: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** Sets the permission bits (following a link). */
  setMode(path: string, mode: number): Promise<void>;
  /** Sets the owner of the entry itself (a link's, not its target's). */
  setOwner(path: string, uid: number, gid: number): Promise<void>;
  /** A name no other writer picks (for temporaries beside a target). */
  uniqueName(): string;
  /** This process: a short name of the machine it runs on, and its pid (temporaries beside an output carry both). */
  readonly writer: { readonly machine: string; readonly pid: number };
  /** Whether a process with this pid runs on this machine now. */
  running(pid: number): boolean;
  /** An HTTP(S) GET, following redirects; a network failure or the timeout rejects. */
  httpGet(url: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<HttpResponse>;
}

/** A failure of the outside world (a read that failed), as opposed to a user's mistake or a bug. */
export class HostError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}

/** A byte stream's bytes, gathered into one buffer. */
export async function collectBytes(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
