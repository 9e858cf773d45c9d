import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { PassThrough } from "node:stream";

/** How far a decoder may run ahead of its reader. */
const READ_AHEAD = 4 * 1024 * 1024;

/**
 * The system's own `xz` and `zstd` as streaming decoders, each in a process of its own: about
 * 1.6x (xz) and 7x (zstd) faster than the decoders in JavaScript and WebAssembly, and off the
 * main thread, so two packages unpack on two cores while the main thread parses their tars and
 * hashes their files. Decompression is defined by the format: every correct decoder gives the
 * same bytes, so which one ran never changes an output (docs/decompression.md). Absent tools,
 * or MCC_NATIVE_DECODERS=0, leave the decoders mcc ships.
 */
export type NativeCodec = "xz" | "zstd";

/** Damaged compressed data, as a decoder reported it: a package or index that cannot be read. */
export class CompressedDataError extends Error {
  override readonly name = "CompressedDataError";
}

const found = new Map<NativeCodec, string | undefined>();

/** The decoder's path on PATH, looked for once per process; undefined when absent or turned off. */
export function nativeDecoder(codec: NativeCodec): string | undefined {
  if (process.env["MCC_NATIVE_DECODERS"] === "0") return undefined;
  if (!found.has(codec)) found.set(codec, onPath(codec));
  return found.get(codec);
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Pipes `source` through `tool -dc` and yields what it writes, as it writes it. The input is
 * fed with backpressure, so neither side is ever held whole. A non-zero exit is a
 * CompressedDataError with the tool's own words; an error of the source is rethrown as it
 * was; a consumer that stops early ends the process.
 */
export async function* decodeInProcess(tool: string, codec: NativeCodec, source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // A clean environment: XZ_DEFAULTS, XZ_OPT or ZSTD_* must not change what the tool accepts.
  const child = spawn(tool, ["-d", "-c", "-q"], { stdio: ["pipe", "pipe", "pipe"], env: { LC_ALL: "C" } });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  // A tool that exits on damaged input closes its stdin: the write fails, the exit code says why.
  child.stdin.on("error", () => undefined);
  let sourceError: { error: unknown } | undefined;
  let stopped = false;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (stopped || child.stdin.destroyed) break;
        if (!child.stdin.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              child.stdin.off("drain", done);
              child.stdin.off("close", done);
              resolve();
            };
            child.stdin.on("drain", done);
            child.stdin.on("close", done);
          });
        }
      }
    } catch (error) {
      sourceError = { error };
      child.kill("SIGKILL");
    } finally {
      child.stdin.end();
    }
  })();
  // The decoder runs ahead of its reader by up to this much: a pipe holds 64 KiB, and a reader
  // busy with one chunk would otherwise stop the decoder until it asks for the next.
  const ahead = child.stdout.pipe(new PassThrough({ highWaterMark: READ_AHEAD }));
  let finished = false;
  try {
    for await (const chunk of ahead as AsyncIterable<Buffer>) yield chunk;
    await feeding;
    const exit = await exited;
    if (sourceError !== undefined) throw sourceError.error;
    if (exit.error !== undefined) throw exit.error;
    if (exit.code !== 0) {
      const said = Buffer.concat(stderr).toString("utf8").trim().replace(/^[^:]*: \(stdin\): /, "").replace(/^[^:]*: /, "");
      throw new CompressedDataError(`${codec} data cannot be decompressed: ${said || (exit.signal === null ? `the decoder exited with ${exit.code}` : `the decoder was ended by ${exit.signal}`)}`);
    }
    finished = true;
  } finally {
    if (!finished) {
      stopped = true;
      ahead.destroy();
      child.kill("SIGKILL");
      await feeding.catch(() => undefined);
    }
  }
}
