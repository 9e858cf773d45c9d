// The layer's gzip: any gzip reader reads it back; the bytes are the same whether the blocks
// were compressed here or in worker threads, and wherever the input's chunks were cut; the
// sync marker between blocks is right at every bit position the compressed data can end on.
import { randomBytes } from "node:crypto";
import { gunzipSync, inflateRawSync } from "node:zlib";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { deflateBlock, GZIP_BLOCK, gzipStable, gzipStream, IN_PLACE_UP_TO } from "../../src/formats/stable-gzip.js";

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function streamed(bytes: Uint8Array, size: number, expectedBytes?: number): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for await (const chunk of gzipStream(chunked(bytes, size), expectedBytes)) out.push(chunk);
  return Buffer.concat(out);
}

/** Text, then noise, then text: compressible and incompressible blocks, across block edges. */
function mixed(length: number): Buffer {
  const text = Buffer.from("usr/lib/x86_64-linux-gnu/libc.so.6 ".repeat(Math.ceil(length / 35)));
  const out = Buffer.alloc(length);
  text.copy(out, 0, 0, length);
  randomBytes(Math.floor(length / 3)).copy(out, Math.floor(length / 3));
  return out;
}

test("read back by gunzip, and the same bytes in threads as here, whatever the cut", async () => {
  for (const length of [0, 1, 1000, GZIP_BLOCK - 1, GZIP_BLOCK, GZIP_BLOCK + 1, Math.floor(3.5 * GZIP_BLOCK)]) {
    const data = mixed(length);
    const here = Buffer.from(gzipStable([data]));
    assert.ok(gunzipSync(here).equals(data), `gunzip of ${length} bytes`);
    for (const size of [7, 65536, 1_000_003]) assert.ok((await streamed(data, size)).equals(here), `${length} bytes in chunks of ${size}`);
    // Announced as small: every block compressed here, through one buffer.
    assert.ok((await streamed(data, 65536, length)).equals(here), `${length} bytes compressed in place`);
  }
});

test("a stream of many more blocks than threads, whose buffers come back to hold later blocks, gives the same bytes", async () => {
  const data = mixed(Math.floor(9.5 * GZIP_BLOCK));
  const here = Buffer.from(gzipStable([data]));
  assert.ok((await streamed(data, 65536)).equals(here));
  // Again in the same process: the pool, its threads and its spare buffers are shared.
  assert.ok((await streamed(data, 1_000_003)).equals(here));
  // In place, the one block buffer refilled nine times.
  assert.ok((await streamed(data, 65536, IN_PLACE_UP_TO)).equals(here));
});

test("the marker after a block is right wherever its compressed data ends", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.boolean(), (bytes, repeat) => {
      const block = repeat ? Buffer.concat([bytes, bytes, bytes]) : Buffer.from(bytes);
      const joined = Buffer.concat([deflateBlock(block, undefined, false), deflateBlock(block, block, true)]);
      return inflateRawSync(joined).equals(Buffer.concat([block, block]));
    }),
    { numRuns: 300 },
  );
});

test("the dictionary keeps the ratio of one stream", () => {
  const data = mixed(4 * GZIP_BLOCK);
  const blocks = Buffer.from(gzipStable([data])).length;
  const withoutDictionary = [0, 1, 2, 3].reduce((n, i) => n + deflateBlock(data.subarray(i * GZIP_BLOCK, (i + 1) * GZIP_BLOCK), undefined, i === 3).length, 0);
  assert.ok(blocks < withoutDictionary, `${blocks} with the 32 KiB before each block, ${withoutDictionary} without`);
});

test.run();
