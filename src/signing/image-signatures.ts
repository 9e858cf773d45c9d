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
import { openEnvelope, signStatement, statementCovers, statementFor } from "./attestations.js";
import { readReferrersTag } from "../registry/referrers-tag.js";
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
  // Each platform's SBOM and provenance, attested about its manifest (once per key and document).
  const publicKey = [key.toPublic()];
  for (const m of await manifestsUnder(client, ref)) {
    if (isIndexType(m.mediaType)) continue;
    const existing = await readSignatures(host, lookaside, ref.repository, m.digest, "attestation");
    for (const doc of await referrerDocuments(client, ref.repository, m.digest)) {
      let done = false;
      for (const bytes of existing) {
        const opened = await openEnvelope(bytes, publicKey);
        if ("statement" in opened && statementCovers(opened.statement, m.digest, doc.artifactType, doc.document)) done = true;
      }
      if (done) continue;
      const envelope = await signStatement(statementFor(formatReference({ host: ref.host, repository: ref.repository }), m.digest, doc.artifactType, doc.document), key, now);
      written.push({ digest: m.digest, path: await writeSignature(host, lookaside, ref.repository, m.digest, envelope, "attestation") });
    }
  }
  return written;
}

/** The documents attached to an image manifest as referrers (its SBOM, its provenance), each with its artifact type. */
async function referrerDocuments(client: RegistryClient, repo: string, digest: string): Promise<{ artifactType: string; referrer: string; document: unknown }[]> {
  const api = await client.getReferrers(repo, digest);
  const found = api.supported ? api.manifests : await readReferrersTag(client, repo, digest);
  const out: { artifactType: string; referrer: string; document: unknown }[] = [];
  for (const d of found) {
    const got = await client.getManifest(repo, d.digest, [d.mediaType]);
    const doc = JSON.parse(got.bytes.toString("utf8")) as ManifestDocument & { artifactType?: string };
    const layer = doc.layers?.[0];
    if (layer === undefined) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of await client.getBlob(repo, layer.digest, layer.size)) chunks.push(chunk as Buffer);
    let document: unknown;
    try {
      document = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      continue;
    }
    out.push({ artifactType: d.artifactType ?? doc.artifactType ?? doc.config?.mediaType ?? layer.mediaType, referrer: d.digest, document });
  }
  return out;
}

export interface Verified {
  readonly digest: string;
  readonly fingerprint: string;
  readonly manifests: number;
  readonly blobs: number;
  /** With attestations checked: how many documents were attested. */
  readonly attested?: number;
}

/**
 * Verifies what `ref` names: a signature in the lookaside, by a key of the keyring, for this
 * manifest digest and this reference (containers' default, `matchRepoDigestOrExact`); then
 * every manifest an index names and every config and layer, fetched and checked against
 * their digests. Throws VerificationError saying what failed.
 */
export async function verifyImage(host: Host, client: RegistryClient, ref: ImageReference, keys: readonly OpenPgp.Key[], lookaside: string, options: { attestations?: boolean } = {}): Promise<Verified> {
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
  if (options.attestations !== true) return { digest: top.digest, fingerprint, manifests: manifests.length, blobs };

  // Every SBOM and provenance document of every platform, attested by a key of the keyring.
  let attested = 0;
  for (const m of manifests) {
    if (isIndexType(m.mediaType)) continue;
    const documents = await referrerDocuments(client, ref.repository, m.digest);
    if (documents.length === 0) throw new VerificationError(`the manifest ${m.digest} of ${name} has no SBOM or provenance to attest`);
    const envelopes = await readSignatures(host, lookaside, ref.repository, m.digest, "attestation");
    const opened = await Promise.all(envelopes.map((e) => openEnvelope(e, keys)));
    for (const doc of documents) {
      const covered = opened.some((o) => "statement" in o && statementCovers(o.statement, m.digest, doc.artifactType, doc.document));
      if (!covered) {
        const why = opened.length === 0 ? "there is no attestation in the lookaside" : opened.map((o, i) => `attestation-${i + 1}: ${"problem" in o ? o.problem : "it attests another document"}`).join("; ");
        throw new VerificationError(`the ${doc.artifactType} ${doc.referrer} of ${m.digest} (${name}) is not attested by the key: ${why}`);
      }
      attested++;
    }
  }
  return { digest: top.digest, fingerprint, manifests: manifests.length, blobs, attested };
}
