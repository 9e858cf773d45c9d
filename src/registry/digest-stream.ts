import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { RegistryError } from "./errors.js";

/** The `sha256:<hex>` digest of bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/**
 * A pass-through stream that hashes and counts what flows through it and fails at the end
 * (or as soon as the size is passed) when the content is not the one named: a reader never
 * takes a blob it has not verified, as long as it waits for the stream's end.
 */
export function verifyingStream(digest: string, size: number | undefined, what: string): Transform {
  const hash = createHash("sha256");
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (size !== undefined && seen > size) {
        callback(new RegistryError(`${what} is larger than the ${size} bytes its descriptor says`, "integrity"));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const got = `sha256:${hash.digest("hex")}`;
      if (size !== undefined && seen !== size) callback(new RegistryError(`${what} has ${seen} bytes, not the ${size} its descriptor says`, "integrity"));
      else if (got !== digest) callback(new RegistryError(`${what} does not match its digest: got ${got}`, "integrity"));
      else callback();
    },
  });
}
