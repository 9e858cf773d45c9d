/**
 * Every effect mcc has on the world goes through a Host: the real one for the CLI, an
 * in-memory one for tests. Stages that must not touch the world never receive one.
 */
export interface FileStat {
  readonly kind: "file" | "directory" | "other";
  readonly size: number;
}

export interface Host {
  /** Undefined when nothing is at the path. Follows symlinks. */
  stat(path: string): Promise<FileStat | undefined>;
  readFile(path: string): Promise<Uint8Array>;
  /** At most the first `length` bytes of a file (fewer when it is shorter): to recognise a format without reading it all. */
  readPrefix(path: string, length: number): Promise<Uint8Array>;
  /** The path with every symlink resolved; undefined when it does not exist. */
  realpath(path: string): Promise<string | undefined>;
  /** The names in a directory, sorted; undefined when it does not exist. */
  readdir(path: string): Promise<string[] | undefined>;
  /** Writes beside the target and renames into place: readers see the old bytes or the new, never half. */
  writeFileAtomic(path: string, data: Uint8Array | string): Promise<void>;
  /** The current time; the only clock mcc reads (for Valid-Until), so tests can set it. */
  now(): Date;
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
