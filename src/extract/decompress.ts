import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";

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
 * were chosen by measurement on real .deb members (docs/decompression.md): xz with
 * `xz-decompress` (xz-embedded compiled to WebAssembly), zstd with `fzstd` (pure
 * JavaScript, streaming), gzip with Node's zlib.
 */
export function decompressStream(kind: Compression, source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  switch (kind) {
    case "none":
      return source;
    case "gzip":
      return Readable.from(source).pipe(createGunzip()) as AsyncIterable<Uint8Array>;
    case "xz":
      return xz(source);
    case "zstd":
      return zstd(source);
  }
}

/** The decoders load on first use (the WebAssembly xz decoder is not small). */
async function* xz(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  // xz-decompress is CommonJS; its named export is reached through the default one.
  const { XzReadableStream } = (await import("xz-decompress")).default;
  yield* new XzReadableStream(toWebStream(source)) as unknown as AsyncIterable<Uint8Array>;
}

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
  for await (const chunk of source) {
    decoder.push(chunk);
    while (out.length > 0) yield out.shift() as Uint8Array;
  }
  decoder.push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift() as Uint8Array;
}
