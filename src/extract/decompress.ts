import { createGunzip, type ZlibOptions } from "node:zlib";
import { pipeline, Readable, type TransformOptions } from "node:stream";
import { CompressedDataError, decodeInProcess, nativeDecoder } from "./decoder-process.js";

export { CompressedDataError } from "./decoder-process.js";

export type Compression = "xz" | "zstd" | "gzip" | "none";

/** The compression a Debian archive member or index uses, from its name. */
export function compressionOf(name: string): Compression {
  if (name.endsWith(".xz")) return "xz";
  if (name.endsWith(".zst")) return "zstd";
  if (name.endsWith(".gz")) return "gzip";
  return "none";
}

/**
 * Decompresses a stream as it flows, never holding the whole input or output. The decoders
 * were chosen by measurement on real .deb members (docs/decompression.md): xz and zstd with
 * the system's `xz` and `zstd` in a process of their own when they are installed (faster, and
 * on another core), else `xz-decompress` (xz-embedded compiled to WebAssembly) and `fzstd`
 * (pure JavaScript, streaming); gzip with Node's zlib. Damaged xz or zstd data is a
 * CompressedDataError, in the same words whichever decoder ran.
 */
export function decompressStream(kind: Compression, source: AsyncIterable<Uint8Array>, compressedSize?: number): AsyncIterable<Uint8Array> {
  switch (kind) {
    case "none":
      return source;
    case "gzip":
      // Pieces of 256 KiB, not zlib's 16 KiB: each piece is a round trip to the thread that
      // inflates, and a 50 MB index in 16 KiB pieces left the reader waiting on them. Up to
      // 4 MiB decoded ahead of the reader (a stream's default is 16 KiB, less than one piece):
      // zlib keeps inflating while the reader is busy, instead of in turns with it (a lock 4%
      // faster, paired; docs/performance.md). Every gzip stream gets it: a few are open at once.
      return gunzip(source);
    case "xz":
    case "zstd": {
      const tool = compressedSize !== undefined && compressedSize < NATIVE_FROM ? undefined : nativeDecoder(kind);
      if (tool !== undefined) return decodeInProcess(tool, kind, source);
      return kind === "xz" ? xz(source) : zstd(source);
    }
  }
}

const GUNZIP: ZlibOptions & TransformOptions = { chunkSize: 256 * 1024, readableHighWaterMark: 4 << 20 };

/**
 * Node's gunzip over `source`, joined by `pipeline` (not `pipe`): a failing source fails the
 * reader's iteration instead of leaving it waiting, and a reader that stops early stops the
 * source. Damaged data fails the iteration; when it is found after the reader has stopped (it
 * found the index's checksum wrong first) the error is dropped, not thrown into the process.
 */
function gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const inflate = createGunzip(GUNZIP);
  pipeline(Readable.from(source), inflate, () => undefined);
  inflate.on("error", () => undefined);
  return inflate as AsyncIterable<Uint8Array>;
}

/**
 * Starting a decoder process costs about 7 ms of the main thread (measured with 140 MB of
 * heap to fork): below this many compressed bytes, decoding in place is cheaper. When the size
 * is not known (an index, a stream), the process is used.
 */
const NATIVE_FROM = 128 * 1024;

/** The decoders load on first use (the WebAssembly xz decoder is not small). */
async function* xz(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // xz-decompress is CommonJS; its named export is reached through the default one.
  const { XzReadableStream } = (await import("xz-decompress")).default;
  try {
    yield* new XzReadableStream(toWebStream(source)) as unknown as AsyncIterable<Uint8Array>;
  } catch (error) {
    const code = /get_next_output failed with error code (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    if (code === undefined) throw error;
    throw new CompressedDataError(`xz data cannot be decompressed: ${XZ_EMBEDDED_ERRORS[Number(code)] ?? `error ${code}`}`);
  }
}

/** xz-embedded's return codes (enum xz_ret), in the words the xz tool uses for the same cases. */
const XZ_EMBEDDED_ERRORS: Record<number, string> = {
  2: "Unsupported type of integrity check",
  3: "Cannot allocate memory",
  4: "Memory usage limit reached",
  5: "File format not recognized",
  6: "Unsupported options",
  7: "Compressed data is corrupt",
  8: "Unexpected end of input",
};

function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

async function* zstd(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const { Decompress: ZstdDecompress } = await import("fzstd");
  const out: Uint8Array[] = [];
  const decoder = new ZstdDecompress((chunk) => {
    out.push(chunk);
  });
  const push = (chunk: Uint8Array, final = false) => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      throw new CompressedDataError(`zstd data cannot be decompressed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for await (const chunk of source) {
    push(chunk);
    while (out.length > 0) yield out.shift() as Uint8Array;
  }
  push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift() as Uint8Array;
}
