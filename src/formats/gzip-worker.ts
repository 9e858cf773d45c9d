import { parentPort } from "node:worker_threads";
import { deflateBlock } from "./stable-gzip.js";

/** A thread of the gzip pool (stable-gzip.ts): blocks in, their raw deflate out, moved back with the block. */
const port = parentPort;
if (port === null) throw new Error("gzip-worker runs as a worker thread");
port.on("message", ({ id, block, dictionary, last }: { id: number; block: Uint8Array; dictionary?: Uint8Array; last: boolean }) => {
  const out = deflateBlock(block, dictionary, last);
  // A buffer of its own (fflate's output may share one), so it can be moved whole; the block's
  // buffer goes back too, to hold a later block.
  const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
  port.postMessage({ id, out: own, block }, [own.buffer as ArrayBuffer, block.buffer as ArrayBuffer]);
});
