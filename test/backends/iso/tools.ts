// Small helpers shared by the ISO and FAT tests: content builders, a temp dir, the Debian
// tools (xorriso, dosfstools, mtools) run for real, and a minimal ISO directory reader.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `length` bytes of a pattern that differs per seed, so misplaced sectors show. */
export function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 101 + (i >> 11)) & 0xff;
  return bytes;
}

/** Runs `body` with a fresh temp dir, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "mcc-iso-"));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a tool; returns its status and both outputs as text. */
export function run(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** Whether a tool is on PATH. */
export function hasTool(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** One directory record as read back from an image. */
export interface ReadRecord {
  readonly identifier: string;
  readonly lba: number;
  readonly size: number;
  readonly directory: boolean;
}

/**
 * Reads the records of the directory extent at `lba` (both-endian fields checked to agree),
 * skipping the zero padding at the end of each sector.
 */
export function readDirectory(image: Buffer, lba: number, size: number): ReadRecord[] {
  const out: ReadRecord[] = [];
  for (let at = lba * 2048; at < lba * 2048 + size; ) {
    const length = image[at] ?? 0;
    if (length === 0) {
      at = (Math.floor(at / 2048) + 1) * 2048;
      continue;
    }
    const le = image.readUInt32LE(at + 2);
    if (le !== image.readUInt32BE(at + 6) || image.readUInt32LE(at + 10) !== image.readUInt32BE(at + 14)) throw new Error("both-endian fields disagree");
    const idLength = image[at + 32] ?? 0;
    out.push({
      identifier: image.subarray(at + 33, at + 33 + idLength).toString("latin1"),
      lba: le,
      size: image.readUInt32LE(at + 10),
      directory: ((image[at + 25] ?? 0) & 2) !== 0,
    });
    at += length;
  }
  return out;
}
