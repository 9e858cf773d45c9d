import { Deflate } from "fflate";
import { availableParallelism } from "node:os";
import { crc32 as zlibCrc32 } from "node:zlib";
import type { Worker } from "node:worker_threads";
import { collectGarbage } from "../collect.js";

/**
 * gzip whose bytes are a function of the input alone, compressed on every core.
 *
 * The input is cut into blocks of GZIP_BLOCK bytes. Each block is compressed on its own, as
 * pigz does: raw deflate by fflate at level 6 with a hash table of 2^18 entries (`mem: 6`;
 * pure JavaScript, pinned in the lock file, so no CPU or Node version changes its output), with
 * the 32 KiB of input before it as its dictionary (so the ratio stays that of one stream),
 * ending in a sync flush (the last block ends the stream instead). The blocks' outputs are
 * joined in order between a fixed header (no mtime, no name) and the CRC-32 and size of the
 * whole input. A block's bytes depend on its
 * input and the 32 KiB before it, never on which thread compressed it, how many there were, or
 * where the input's chunks were cut: the same input gives the same bytes on any machine.
 * Used by the OCI layer (streamed, in worker threads) and the initramfs (in memory).
 */

/** The size of the blocks compressed apart; part of the outputs' definition, never to change. */
export const GZIP_BLOCK = 1024 * 1024;
/**
 * fflate's memory level: a hash table of 2^(12 + DEFLATE_MEM) two-byte entries, made for every
 * block. fflate's default for a stream (8: 2 MiB per block) compresses a layer no smaller than
 * 6 (512 KiB, measured on the python3 layer: 36.35% either way, 4% faster) and costs 1.5 MiB
 * more of memory per block in flight. Part of the outputs' definition, as GZIP_BLOCK is.
 */
const DEFLATE_MEM = 6;
/** Deflate's window: what a block may refer back to. */
const WINDOW = 32 * 1024;
/** ID1 ID2, deflate, no flags, mtime 0, no extra flags, OS "unix" (as before: fflate's header). */
const HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);

/**
 * One block as raw deflate: its bytes depend on the block, the dictionary and `last` only. A
 * block that is not the last ends with a sync flush (an empty stored block: the stream is
 * byte-aligned there, so the next block's output can follow it). fflate 0.8.3's own
 * `flush(true)` writes that marker wrongly when the compressed data ends inside a byte (its
 * length lands past the end: "invalid stored block lengths" on incompressible input), so it is
 * written here from fflate's pending bits (the version is pinned; a test decodes every case).
 */
export function deflateBlock(block: Uint8Array, dictionary: Uint8Array | undefined, last: boolean): Uint8Array {
  const out: Uint8Array[] = [];
  const deflate = new Deflate({ level: 6, mem: DEFLATE_MEM, ...(dictionary === undefined || dictionary.length === 0 ? {} : { dictionary }) }, (chunk) => out.push(chunk));
  if (last) deflate.push(block, true);
  else {
    deflate.push(block, false);
    deflate.flush(false);
    // The bits fflate holds back: the last byte's value (above bit 3) and how many of its bits are used.
    const pending = (deflate as unknown as { s: { r?: number } }).s.r ?? 0;
    out.push(syncMarker(pending >> 3, pending & 7));
  }
  return out.length === 1 ? (out[0] as Uint8Array) : Buffer.concat(out);
}

/**
 * The partial byte, then an empty non-final stored block (RFC 1951 3.2.4): BFINAL 0 and BTYPE
 * 00 in the next three bits, zeros to the byte boundary, LEN 0000 and NLEN FFFF.
 */
function syncMarker(partial: number, used: number): Uint8Array {
  const aligned = Math.ceil((used + 3) / 8);
  const marker = new Uint8Array(aligned + 4);
  marker[0] = partial & ((1 << used) - 1);
  marker[aligned + 2] = 0xff;
  marker[aligned + 3] = 0xff;
  return marker;
}

/** gzip of the concatenated chunks, compressed here (the initramfs, small inputs). Pure. */
export function gzipStable(chunks: readonly Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [HEADER];
  const blocks = new Blocker();
  let previous: Uint8Array | undefined;
  const compress = (block: Uint8Array, last: boolean) => {
    out.push(deflateBlock(block, tail(previous), last));
    previous = block;
  };
  for (const chunk of chunks) for (const block of blocks.add(chunk)) compress(block, false);
  compress(blocks.rest(), true);
  out.push(blocks.trailer());
  return Buffer.concat(out);
}

/**
 * Inputs expected to be at most this long are compressed here, not in threads: a thread costs
 * its start (an engine, and fflate compiled afresh, slow until it warms up) before its first
 * block is done, which a small layer never earns back. Measured on two cores: in place is faster
 * up to 8 MiB (2 MiB: 0.17 s against 0.26 s), even at 16, and slower from 32 (64 MiB: 2.9 s
 * against 2.4 s); docs/performance.md.
 */
export const IN_PLACE_UP_TO = 16 * GZIP_BLOCK;

/**
 * Blocks compressed on the main thread (beside the pool's threads) between two collections of
 * its heap: fflate leaves each block's tables and buffers behind, outside the heap, and V8 would
 * let them pile up to 64 MiB before it looks (as in the gzip threads, gzip-worker.ts).
 */
const COLLECT_HERE_EVERY = 8;

/**
 * gzip of a stream, the output in order as it is ready. When `expectedBytes` is at most
 * IN_PLACE_UP_TO, every block is compressed here. Otherwise its blocks go to worker threads,
 * one fewer than the cores, and this thread compresses a block itself whenever every thread
 * has one (its share of the work between reading the input): every core compresses, with one
 * engine fewer to hold in memory (ffmpeg's 248 MB layer on two cores: 20 MB less at the peak,
 * as fast; docs/performance.md). The same bytes as gzipStable of the same input either way.
 */
export async function* gzipStream(input: AsyncIterable<Uint8Array>, expectedBytes?: number): AsyncIterable<Uint8Array> {
  yield HEADER;
  const inPlace = expectedBytes !== undefined && expectedBytes <= IN_PLACE_UP_TO;
  let pool: DeflatePool | undefined;
  const pending: Promise<Uint8Array>[] = [];
  // Full blocks reuse the buffers the threads hand back, and those compressed here.
  const mine: Uint8Array[] = inPlace ? [new Uint8Array(GZIP_BLOCK)] : [];
  const blocks = new Blocker(() => mine.pop() ?? pool?.spare() ?? new Uint8Array(GZIP_BLOCK));
  let here = 0;
  // Copied before the block is handed over: the pool moves the block's buffer to a thread.
  let dictionary: Uint8Array | undefined;
  const submit = (block: Uint8Array, last: boolean) => {
    const before = dictionary;
    dictionary = tail(block)?.slice();
    if (!inPlace) pool ??= deflatePool();
    if (pool === undefined || pool.busy()) {
      pending.push(Promise.resolve(deflateBlock(block, before, last)));
      if (block.length === GZIP_BLOCK) mine.push(block);
      if (pool !== undefined && ++here % COLLECT_HERE_EVERY === 0) void collectGarbage();
      return;
    }
    pending.push(pool.deflate(block, before, last));
  };
  try {
    for await (const chunk of input) {
      for (const block of blocks.add(chunk)) {
        submit(block, false);
        // A block per thread in flight, and the one compressed here.
        while (pending.length > (pool?.size ?? 0) + 1) yield await (pending.shift() as Promise<Uint8Array>);
      }
    }
    // The last block, when nothing else is being compressed (a small input: no thread started at all), here.
    if (pending.length === 0) yield deflateBlock(blocks.rest(), dictionary, true);
    else submit(blocks.rest(), true);
    while (pending.length > 0) yield await (pending.shift() as Promise<Uint8Array>);
    yield blocks.trailer();
  } finally {
    // A consumer that stops early, or a failure: what is still being compressed is not awaited.
    for (const p of pending) p.catch(() => undefined);
  }
}

/** The last WINDOW bytes of a block: the next block's dictionary. */
function tail(block: Uint8Array | undefined): Uint8Array | undefined {
  return block === undefined ? undefined : block.subarray(Math.max(0, block.length - WINDOW));
}

/** Cuts the input into GZIP_BLOCK blocks (each a buffer of its own) and keeps its CRC-32 and size. */
class Blocker {
  /** `fresh`: a buffer of GZIP_BLOCK bytes for the next block (its old contents are overwritten). */
  constructor(private readonly fresh: () => Uint8Array = () => new Uint8Array(GZIP_BLOCK)) {}
  private block: Uint8Array | undefined;
  private filled = 0;
  private crc = 0;
  private size = 0;
  *add(chunk: Uint8Array): Generator<Uint8Array> {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(GZIP_BLOCK - this.filled, chunk.length - at);
      this.block ??= this.fresh();
      this.block.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === GZIP_BLOCK) {
        const full = this.block;
        this.block = undefined;
        this.filled = 0;
        yield full;
      }
    }
  }
  rest(): Uint8Array {
    return this.block === undefined ? new Uint8Array(0) : this.block.slice(0, this.filled);
  }
  trailer(): Uint8Array {
    const t = Buffer.alloc(8);
    t.writeUInt32LE(this.crc >>> 0, 0);
    t.writeUInt32LE(this.size % 2 ** 32, 4);
    return t;
  }
}

/** CRC-32 (the gzip one), continued from `value`: Node's when it has one, else a table. */
function crc32(data: Uint8Array, value: number): number {
  if (typeof zlibCrc32 === "function") return zlibCrc32(data, value);
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

interface DeflatePool {
  readonly size: number;
  /** Whether every thread there will be is started and has a block. */
  busy(): boolean;
  deflate(block: Uint8Array, dictionary: Uint8Array | undefined, last: boolean): Promise<Uint8Array>;
  /** A block's buffer a thread handed back, to be filled again; undefined when none is spare. */
  spare(): Uint8Array | undefined;
}

let shared: DeflatePool | undefined;

/**
 * The worker threads that deflate blocks, one fewer than the cores (at least one, at most three:
 * the main thread compresses too), shared by every stream of the process. A thread is started
 * when a block finds every started one busy. A worker keeps the process alive only
 * while it has work. A worker that fails fails the blocks it had, and is replaced. Each block's
 * buffer comes back with its output and is kept (as many as there are threads, and one) to
 * hold a later block: no new megabyte per block for the collector to find.
 */
function deflatePool(): DeflatePool {
  if (shared !== undefined) return shared;
  const size = Math.max(1, Math.min(3, availableParallelism() - 1));
  type Slot = { worker: Promise<Worker>; jobs: Map<number, { resolve(out: Uint8Array): void; reject(error: unknown): void }> };
  const slots: Slot[] = [];
  const spares: Uint8Array[] = [];
  let nextId = 0;
  const start = (slot: Slot): Promise<Worker> =>
    import("node:worker_threads").then(({ Worker: WorkerThread }) => {
      const worker = new WorkerThread(new URL("./gzip-worker.js", import.meta.url));
      worker.unref();
      const failAll = (error: unknown) => {
        for (const job of slot.jobs.values()) job.reject(error);
        slot.jobs.clear();
        slot.worker = start(slot);
      };
      worker.on("message", (message: { id: number; out: Uint8Array; block?: Uint8Array }) => {
        const job = slot.jobs.get(message.id);
        slot.jobs.delete(message.id);
        if (slot.jobs.size === 0) worker.unref();
        if (message.block?.length === GZIP_BLOCK && spares.length <= size) spares.push(message.block);
        job?.resolve(message.out);
      });
      worker.on("error", failAll);
      worker.on("exit", (code) => {
        if (slot.jobs.size > 0) failAll(new Error(`a gzip worker thread exited (${code}) with blocks to compress`));
      });
      return worker;
    });
  /** The least busy thread; a new one when every thread is busy and another core is free. */
  const pick = (): Slot => {
    const idle = slots.reduce<Slot | undefined>((best, slot) => (best === undefined || slot.jobs.size < best.jobs.size ? slot : best), undefined);
    if (idle !== undefined && (idle.jobs.size === 0 || slots.length === size)) return idle;
    const slot: Slot = { worker: undefined as unknown as Promise<Worker>, jobs: new Map() };
    slot.worker = start(slot);
    slots.push(slot);
    return slot;
  };
  shared = {
    size,
    async deflate(block, dictionary, last) {
      const slot = pick();
      const id = nextId++;
      // Counted as the thread's before it is started, so the next block picks another.
      const done = new Promise<Uint8Array>((resolve, reject) => slot.jobs.set(id, { resolve, reject }));
      const worker = await slot.worker;
      worker.ref();
      // The block is the pool's to keep (a buffer of its own): moved, not copied.
      const message = { id, block, dictionary, last };
      worker.postMessage(message, [block.buffer as ArrayBuffer]);
      return done;
    },
    spare: () => spares.pop(),
    busy: () => slots.length === size && slots.every((slot) => slot.jobs.size > 0),
  };
  return shared;
}
