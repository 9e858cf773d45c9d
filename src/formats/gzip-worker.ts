import { parentPort } from "node:worker_threads";
import { collectGarbage } from "../collect.js";
import { deflateBlock } from "./stable-gzip.js";

/** A thread of the gzip pool (stable-gzip.ts): blocks in, their raw deflate out, moved back with the block. */
const port = parentPort;
if (port === null) throw new Error("gzip-worker runs as a worker thread");

/**
 * A block leaves a few MiB of fflate's tables and buffers behind, outside the thread's small
 * heap, and V8 collects them only when 64 MiB have piled up: 30-70 MiB a thread while a large
 * layer is written. Collecting after every few blocks keeps it near 15 MiB, for a few
 * milliseconds a collection (docs/performance.md, "Memory").
 */
const COLLECT_EVERY = 4;
let since = 0;

port.on("message", ({ id, block, dictionary, last }: { id: number; block: Uint8Array; dictionary?: Uint8Array; last: boolean }) => {
  const out = deflateBlock(block, dictionary, last);
  // A buffer of its own (fflate's output may share one), so it can be moved whole; the block's
  // buffer goes back too, to hold a later block.
  const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
  port.postMessage({ id, out: own, block }, [own.buffer as ArrayBuffer, block.buffer as ArrayBuffer]);
  if (++since >= COLLECT_EVERY) {
    since = 0;
    void collectGarbage();
  }
});
