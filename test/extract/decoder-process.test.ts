// The system's xz and zstd as decoders: the same bytes as the decoders mcc ships, the same
// words for damaged data, a source's own error passed on, and no process left behind when the
// reader stops early.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CompressedDataError, decodeInProcess, nativeDecoder } from "../../src/extract/decoder-process.js";
import { decompressStream } from "../../src/extract/decompress.js";

const xz = nativeDecoder("xz");
const zstd = nativeDecoder("zstd");
if (xz === undefined || zstd === undefined) throw new Error("xz and zstd must be installed for this test (test/tools.json)");

// Compressible and incompressible parts, 3 MB in all.
const plain = Buffer.concat([Buffer.from("mcc ".repeat(250_000)), randomBytes(2_000_000)]);
const packed = { xz: execFileSync("xz", ["-c", "-6"], { input: plain, maxBuffer: 1 << 26 }), zstd: execFileSync("zstd", ["-c", "-q"], { input: plain, maxBuffer: 1 << 26 }) };

async function* chunked(bytes: Uint8Array, size = 65536): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function all(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const chunk of stream) out.push(chunk);
  return Buffer.concat(out);
}
async function failure(stream: AsyncIterable<Uint8Array>): Promise<Error> {
  try {
    await all(stream);
  } catch (error) {
    return error as Error;
  }
  throw new Error("no error");
}
async function withoutNative<T>(run: () => Promise<T>): Promise<T> {
  process.env["MCC_NATIVE_DECODERS"] = "0";
  try {
    return await run();
  } finally {
    delete process.env["MCC_NATIVE_DECODERS"];
  }
}

test("the same bytes from the system's decoders and from mcc's own", async () => {
  for (const codec of ["xz", "zstd"] as const) {
    const native = await all(decodeInProcess(codec === "xz" ? xz : zstd, codec, chunked(packed[codec], 4099)));
    assert.ok(native.equals(plain), `${codec} native`);
    const shipped = await withoutNative(() => all(decompressStream(codec, chunked(packed[codec]))));
    assert.ok(shipped.equals(plain), `${codec} shipped`);
  }
});

test("damaged xz data: a CompressedDataError in the same words from either decoder", async () => {
  const truncated = packed.xz.subarray(0, packed.xz.length >> 1);
  const corrupt = Buffer.from(packed.xz);
  corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] as number) ^ 0xff;
  for (const [input, words] of [
    [truncated, "Unexpected end of input"],
    [corrupt, "Compressed data is corrupt"],
    [Buffer.from("not xz at all"), "File format not recognized"],
  ] as const) {
    const native = await failure(decodeInProcess(xz, "xz", chunked(input)));
    const shipped = await withoutNative(() => failure(decompressStream("xz", chunked(input))));
    for (const error of [native, shipped]) {
      assert.ok(error instanceof CompressedDataError, `${error.name}: ${error.message}`);
      assert.is(error.message, `xz data cannot be decompressed: ${words}`);
    }
  }
});

test("an error of the source is the error seen", async () => {
  async function* broken(): AsyncIterable<Uint8Array> {
    yield packed.xz.subarray(0, 1000);
    throw new Error("the disk went away");
  }
  const error = await failure(decodeInProcess(xz, "xz", broken()));
  assert.is(error.message, "the disk went away");
});

test("a reader that stops early ends the decoder", async () => {
  const before = children();
  for (let i = 0; i < 5; i++) {
    for await (const chunk of decodeInProcess(xz, "xz", chunked(packed.xz))) {
      assert.ok(chunk.length > 0);
      break;
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(children(), before);
});

test("gzip: a source's error and damaged data fail the reading; damage after the reader stopped is not thrown into the process", async () => {
  const gz = gzipSync(plain);
  assert.ok((await all(decompressStream("gzip", chunked(gz)))).equals(plain));
  async function* broken(): AsyncIterable<Uint8Array> {
    yield gz.subarray(0, 1000);
    throw new Error("the disk went away");
  }
  assert.is((await failure(decompressStream("gzip", broken()))).message, "the disk went away");
  // Text appended to a gzip stream is read as a second member with a bad header.
  const damaged = Buffer.concat([gz, Buffer.from("Package: evil\n")]);
  assert.match((await failure(decompressStream("gzip", chunked(damaged)))).message, /incorrect header check/);
  // The reader stops first; the decoder finds the damage afterwards, with no one to tell.
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", record);
  try {
    for (let i = 0; i < 5; i++) {
      for await (const chunk of decompressStream("gzip", chunked(damaged, 1 << 20))) {
        assert.ok(chunk.length > 0);
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off("uncaughtException", record);
  }
  assert.equal(uncaught, []);
});

/** This process's child processes, from /proc. */
function children(): string[] {
  const tasks = `/proc/${process.pid}/task`;
  return readdirSync(tasks)
    .flatMap((task) => readFileSync(`${tasks}/${task}/children`, "utf8").split(/\s+/))
    .filter(Boolean)
    .sort();
}

test.run();
