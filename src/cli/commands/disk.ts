// `mcc disk FILE --size SIZE [--label LABEL]`: an empty ext4 disk image for an appliance's
// volume (src/backends/disk/ext4.ts), written without mkfs, the same bytes every time. The
// appliance mounts it on the volume whose path ends in LABEL (`/write` takes `write`).
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { emptyExt4, EXT4_MAX_BYTES, EXT4_MIN_BYTES, labelProblem } from "../../backends/disk/ext4.js";
import { besideTemp, leftBehind } from "../../host/atomic.js";
import type { Host } from "../../host/host.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

export interface DiskOptions {
  readonly size: string;
  readonly label?: string;
}

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `64M`, `1G`, `1GiB`, `1073741824`: bytes (binary units), or undefined. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*(?:([KMGT])(?:i?B)?)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const bytes = Number(m[1]) * (UNITS[(m[2] ?? "").toUpperCase()] as number);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Writes a disk image where nothing is: sparse, beside the target, renamed into place when
 * whole (nothing half written is left). The error's message when it cannot.
 */
export function writeNewDisk(host: Host, target: string, image: { bytes: number; chunks: readonly { at: number; data: Uint8Array }[] }): string | undefined {
  // A disk a killed run left half written is removed first (sweepBeside's rule, here synchronous).
  try {
    for (const name of leftBehind(readdirSync(dirname(target)), target, host.writer.machine, (pid) => host.running(pid))) rmSync(join(dirname(target), name), { force: true });
  } catch {
    // tidying never fails the write; a missing directory is reported by the write itself
  }
  const temp = besideTemp(host, target);
  try {
    const fd = openSync(temp, "wx");
    try {
      ftruncateSync(fd, image.bytes);
      for (const chunk of image.chunks) writeSync(fd, chunk.data, 0, chunk.data.length, chunk.at);
    } finally {
      closeSync(fd);
    }
    if (existsSync(target)) throw new Error("it appeared meanwhile; it is left as it is");
    renameSync(temp, target);
    return undefined;
  } catch (error) {
    rmSync(temp, { force: true });
    return (error as Error).message;
  }
}

export function diskCommand(file: string, options: DiskOptions, io: CliIo): ExitCode {
  const label = options.label ?? "write";
  const problem = labelProblem(label);
  if (problem !== undefined) {
    io.stderr(`mcc: error: --label ${JSON.stringify(label)}: ${problem}\n`);
    return EXIT.usage;
  }
  const bytes = parseSize(options.size);
  if (bytes === undefined || bytes % 4096 !== 0 || bytes < EXT4_MIN_BYTES || bytes > EXT4_MAX_BYTES) {
    io.stderr(`mcc: error: --size ${JSON.stringify(options.size)}: a size such as 64M or 10G, a multiple of 4 KiB from 8 MiB to 16 TiB\n`);
    return EXIT.usage;
  }
  const target = resolve(io.cwd, file);
  if (existsSync(target)) {
    io.stderr(`mcc: error: ${file} exists; mcc disk writes a new disk and never replaces one (it may hold your data)\n`);
    return EXIT.userError;
  }
  const image = emptyExt4({ bytes, label });
  const failed = writeNewDisk(io.host, target, image);
  if (failed !== undefined) {
    io.stderr(`mcc: error: cannot write ${file}: ${failed}\n`);
    return EXIT.userError;
  }
  io.stdout(`${file}: ext4, ${(image.bytes / 1024 ** 2).toFixed(0)} MiB, label ${label} (an appliance mounts it on its volume /…/${label})\n`);
  return EXIT.ok;
}
