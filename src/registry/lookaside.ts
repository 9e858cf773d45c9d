// A lookaside signature store, laid out as containers/image reads it (`lookaside:` in
// registries.d): `BASE/REPOSITORY@sha256=HEX/signature-N`, N from 1 with no gaps, where BASE is a
// directory (written and read) or an http(s) URL a web server serves (read). The repository is
// the reference's path without the registry host, as skopeo writes it.
import { join } from "node:path";
import type { Host } from "../host/host.js";
import { RegistryError } from "./errors.js";

/** Where the signatures of one manifest live, under a lookaside base. */
export function signatureDirectory(repository: string, digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return `${repository}@${algorithm}=${hex}`;
}

const isUrl = (base: string) => /^https?:\/\//.test(base);

/**
 * What a lookaside holds for a manifest: `signature` files (containers' simple signing, what
 * podman and skopeo read) and mcc's `attestation` files (signed in-toto statements of its
 * SBOM and provenance), each numbered from 1.
 */
export type LookasideKind = "signature" | "attestation";

/**
 * What one manifest's entries may hold in all, read from a lookaside that may not be ours: a
 * signature is under a kilobyte, an attestation holds an SBOM; past this the store is refused.
 */
export const LOOKASIDE_LIMIT = 64 * 1024 * 1024;
/** How many entries of one kind are read for one manifest. */
export const LOOKASIDE_ENTRIES = 64;

/** Reads every signature (or attestation) of a manifest, in order: signature-1, signature-2, ... until one is missing. */
export async function readSignatures(host: Host, base: string, repository: string, digest: string, kind: LookasideKind = "signature"): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const dir = signatureDirectory(repository, digest);
  let total = 0;
  const tooMuch = () => new RegistryError(`the lookaside ${base} holds more than ${LOOKASIDE_LIMIT / (1024 * 1024)} MiB of ${kind}s for ${digest}; mcc reads no more`, "protocol");
  for (let n = 1; n <= LOOKASIDE_ENTRIES; n++) {
    if (isUrl(base)) {
      const url = `${base.replace(/\/+$/, "")}/${dir}/${kind}-${n}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      } catch (error) {
        throw new RegistryError(`the lookaside ${base} cannot be read: ${(error as Error).message}`, "network");
      }
      if (res.status === 404) break;
      if (!res.ok || res.body === null) throw new RegistryError(`the lookaside answered ${res.status} for ${url}`, "protocol");
      // Read as it comes, and stop at the limit: a server may send without end.
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          total += chunk.length;
          if (total > LOOKASIDE_LIMIT) throw tooMuch();
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        throw new RegistryError(`the lookaside ${base} cannot be read: ${(error as Error).message}`, "network");
      }
      out.push(Buffer.concat(chunks));
      continue;
    }
    const path = join(base, dir, `${kind}-${n}`);
    const stat = await host.stat(path);
    if (stat === undefined) break;
    total += stat.size;
    if (total > LOOKASIDE_LIMIT) throw tooMuch();
    out.push(await host.readFile(path));
  }
  return out;
}

/**
 * Adds a signature of a manifest to a lookaside directory as the next signature-N; one with the
 * same bytes already there is not written twice. Returns the path (relative to the base).
 */
export async function writeSignature(host: Host, base: string, repository: string, digest: string, signature: Uint8Array, kind: LookasideKind = "signature"): Promise<string> {
  if (isUrl(base)) throw new RegistryError(`--lookaside ${base}: signatures are written to a directory (a web server then serves it); an http lookaside is only read`, "usage");
  const dir = signatureDirectory(repository, digest);
  await host.mkdir(join(base, dir));
  for (let n = 1; ; n++) {
    const rel = `${dir}/${kind}-${n}`;
    const path = join(base, rel);
    if ((await host.stat(path)) === undefined) {
      await host.writeFileAtomic(path, signature);
      return rel;
    }
    const there = await host.readFile(path);
    if (Buffer.from(there).equals(Buffer.from(signature))) return rel;
  }
}
