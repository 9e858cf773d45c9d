import { Gzip } from "fflate";

/** The size of the blocks fed to gzip; part of the output's definition, as in the OCI layer. */
const BLOCK = 64 * 1024;

/**
 * gzip of the concatenated chunks, byte-stable: fflate (pure JavaScript, pinned in the lock
 * file, so no CPU or Node version changes its output) at level 6 with no header fields (no
 * mtime, no name), fed fixed 64 KiB blocks so that where the input happens to be cut into
 * chunks does not change the bytes. The same settings as the OCI layer (src/backends/layer.ts).
 * Pure.
 */
export function gzipStable(chunks: readonly Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [];
  const gzip = new Gzip({ level: 6, mtime: 0 }, (chunk) => {
    out.push(chunk);
  });
  const block = new Uint8Array(BLOCK);
  let filled = 0;
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(BLOCK - filled, chunk.length - at);
      block.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BLOCK) {
        gzip.push(block.slice());
        filled = 0;
      }
    }
  }
  gzip.push(block.slice(0, filled), true);
  return Buffer.concat(out);
}
