import { Gzip } from "fflate";

/** The size of the blocks fed to gzip; part of the outputs' definition, never to change. */
const BLOCK = 64 * 1024;

/**
 * A gzip stream whose bytes are a function of its input alone: fflate (pure JavaScript,
 * pinned in the lock file, so no CPU or Node version changes its output) at level 6 with no
 * header fields (no mtime, no name). fflate's output depends on where its input is cut, and
 * input arrives cut wherever reads happened to end; so it is fed fixed 64 KiB blocks. Used by
 * the OCI layer and the initramfs. `write` says how many blocks it passed on (the caller may
 * drain the output then); `end` passes the rest.
 */
export function createStableGzip(onOutput: (chunk: Uint8Array) => void): { write(chunk: Uint8Array): number; end(): void } {
  const gzip = new Gzip({ level: 6, mtime: 0 }, (chunk) => onOutput(chunk));
  const block = new Uint8Array(BLOCK);
  let filled = 0;
  return {
    write(chunk) {
      let blocks = 0;
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(BLOCK - filled, chunk.length - at);
        block.set(chunk.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === BLOCK) {
          gzip.push(block.slice());
          filled = 0;
          blocks++;
        }
      }
      return blocks;
    },
    end() {
      gzip.push(block.slice(0, filled), true);
    },
  };
}

/** gzip of the concatenated chunks, byte-stable (see createStableGzip). Pure. */
export function gzipStable(chunks: readonly Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [];
  const gzip = createStableGzip((chunk) => out.push(chunk));
  for (const chunk of chunks) gzip.write(chunk);
  gzip.end();
  return Buffer.concat(out);
}
