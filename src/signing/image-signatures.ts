// Signing an image in a registry, and verifying one, as containers' simple signing does: each
// manifest (the index and every platform's) signed for the reference it was pushed as, the
// signatures kept in a lookaside store; verification accepts an image only when a key of the
// keyring signed its manifest digest for that reference, and every manifest and blob under it
// matches its digest.
import type * as OpenPgp from "openpgp";
import type { Host } from "../host/host.js";
import type { RegistryClient } from "../registry/client.js";
import { readSignatures, writeSignature } from "../registry/lookaside.js";
import { formatReference, type ImageReference } from "../registry/reference.js";
import { isIndexType, type ManifestDocument } from "../formats/oci-media-types.js";
import { signMessage, verifyMessage } from "./openpgp.js";
import { claimBytes, claimMatches, parseClaim } from "./simple-signing.js";

/** Why an image is refused: what was checked and what was wrong. mcc verify and pull --verify exit 3. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}

/** The identity a signature claims for a reference: `HOST/REPO:TAG`, or `HOST/REPO` for one by digest. */
export function signedIdentity(ref: ImageReference): string {
  return formatReference({ host: ref.host, repository: ref.repository, ...(ref.tag === undefined ? {} : { tag: ref.tag }) });
}

/** The manifest digests under a top one: itself, then each platform's of an index. */
async function manifestsUnder(client: RegistryClient, ref: ImageReference): Promise<{ digest: string; bytes: Buffer; mediaType: string }[]> {
  const top = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? "latest");
  const out = [top];
  if (isIndexType(top.mediaType)) {
    const doc = JSON.parse(top.bytes.toString("utf8")) as ManifestDocument;
    for (const child of doc.manifests ?? []) out.push(await client.getManifest(ref.repository, child.digest));
  }
  return out;
}

/**
 * Signs what `ref` names in the registry (the index and each platform's manifest) with `key`,
 * into the lookaside directory. Returns the signatures written, relative to the lookaside.
 */
export async function signImage(host: Host, client: RegistryClient, ref: ImageReference, key: OpenPgp.PrivateKey, lookaside: string, creator: string): Promise<{ digest: string; path: string }[]> {
  const reference = signedIdentity(ref);
  const written: { digest: string; path: string }[] = [];
  const now = host.now();
  for (const m of await manifestsUnder(client, ref)) {
    const signature = await signMessage(claimBytes({ reference, digest: m.digest }, creator, Math.floor(now.getTime() / 1000)), key, now);
    written.push({ digest: m.digest, path: await writeSignature(host, lookaside, ref.repository, m.digest, signature) });
  }
  return written;
}

export interface Verified {
  readonly digest: string;
  readonly fingerprint: string;
  readonly manifests: number;
  readonly blobs: number;
}

/**
 * Verifies what `ref` names: a signature in the lookaside, by a key of the keyring, for this
 * manifest digest and this reference (containers' default, `matchRepoDigestOrExact`); then
 * every manifest an index names and every config and layer, fetched and checked against
 * their digests. Throws VerificationError saying what failed.
 */
export async function verifyImage(host: Host, client: RegistryClient, ref: ImageReference, keys: readonly OpenPgp.Key[], lookaside: string): Promise<Verified> {
  const top = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? "latest");
  const name = formatReference(ref);
  const signatures = await readSignatures(host, lookaside, ref.repository, top.digest);
  if (signatures.length === 0) throw new VerificationError(`${name} (${top.digest}) has no signature in ${lookaside}`);
  const asked = { repository: formatReference({ host: ref.host, repository: ref.repository }), digest: top.digest, ...(ref.tag === undefined ? {} : { reference: signedIdentity(ref) }) };
  const reasons: string[] = [];
  let fingerprint: string | undefined;
  for (const [i, signature] of signatures.entries()) {
    const opened = await verifyMessage(signature, keys);
    if ("problem" in opened) {
      reasons.push(`signature-${i + 1}: ${opened.problem}`);
      continue;
    }
    const claim = parseClaim(opened.content);
    if ("problem" in claim) {
      reasons.push(`signature-${i + 1}: ${claim.problem}`);
      continue;
    }
    const mismatch = claimMatches(claim, asked);
    if (mismatch !== undefined) {
      reasons.push(`signature-${i + 1}: ${mismatch}`);
      continue;
    }
    fingerprint = opened.fingerprint;
    break;
  }
  if (fingerprint === undefined) throw new VerificationError(`no valid signature of ${name} (${top.digest}): ${reasons.join("; ")}`);

  // What the signed digest covers, checked: the platforms' manifests, then every blob.
  const manifests = [top];
  if (isIndexType(top.mediaType)) {
    const doc = JSON.parse(top.bytes.toString("utf8")) as ManifestDocument;
    for (const child of doc.manifests ?? []) manifests.push(await client.getManifest(ref.repository, child.digest));
  }
  let blobs = 0;
  for (const m of manifests) {
    const doc = JSON.parse(m.bytes.toString("utf8")) as ManifestDocument;
    for (const b of [...(doc.config === undefined ? [] : [doc.config]), ...(doc.layers ?? [])]) {
      // The client checks each blob's sha256 and size as it streams by.
      for await (const _ of await client.getBlob(ref.repository, b.digest, b.size));
      blobs++;
    }
  }
  return { digest: top.digest, fingerprint, manifests: manifests.length, blobs };
}
