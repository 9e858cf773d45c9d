// Signing an image and verifying one, as containers' simple signing does: each manifest (the
// index and every platform's) signed for the reference it is pulled by, each platform's SBOM
// and provenance attested, all kept in a lookaside store; verification accepts an image only
// when a key of the keyring signed its manifest digest for that reference, and every manifest
// and blob under it matches its digest. The image is read through an ImageAccess: a registry,
// or a layout signed before it is pushed.
import type * as OpenPgp from "openpgp";
import type { Host } from "../host/host.js";
import { readSignatures, writeSignature } from "../registry/lookaside.js";
import { formatReference, type ImageReference } from "../registry/reference.js";
import { isIndexType, type ManifestDocument } from "../formats/oci-media-types.js";
import { signMessage, verifyMessage } from "./openpgp.js";
import { openEnvelope, signStatement, statementCovers, statementFor } from "./attestations.js";
import { claimBytes, claimMatches, parseClaim } from "./simple-signing.js";
import { manifestsOf, type FetchedManifest, type ImageAccess } from "./image-access.js";

/** Why an image is refused: what was checked and what was wrong. mcc verify and pull --verify exit 3. */
export class VerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationError";
  }
}

/** Who an image is signed as: the reference a client pulls it by, and its repository. */
export interface Identity {
  /** `HOST/REPO:TAG`, or `HOST/REPO` for an image asked for by digest. */
  readonly reference: string;
  /** `HOST/REPO`. */
  readonly repository: string;
  /** The repository's path without the host: the lookaside's directory. */
  readonly path: string;
  /** Whether the reference has a tag (a signature must then name it exactly). */
  readonly tagged: boolean;
}

export function identityOf(ref: ImageReference): Identity {
  const repository = formatReference({ host: ref.host, repository: ref.repository });
  return { reference: formatReference({ host: ref.host, repository: ref.repository, ...(ref.tag === undefined ? {} : { tag: ref.tag }) }), repository, path: ref.repository, tagged: ref.tag !== undefined };
}

/** The largest SBOM or provenance document read to be attested or checked. */
const DOCUMENT_LIMIT = 64 * 1024 * 1024;

/** The documents attached to an image manifest as referrers (its SBOM, its provenance), each with its artifact type. */
async function referrerDocuments(access: ImageAccess, digest: string): Promise<{ artifactType: string; referrer: string; document: unknown }[]> {
  const out: { artifactType: string; referrer: string; document: unknown }[] = [];
  for (const d of await access.referrers(digest)) {
    const got = await access.manifest(d.digest);
    const doc = JSON.parse(got.bytes.toString("utf8")) as ManifestDocument & { artifactType?: string };
    const layer = doc.layers?.[0];
    if (layer === undefined) continue;
    if (layer.size > DOCUMENT_LIMIT) throw new VerificationError(`the referrer ${d.digest} of ${digest} says its document has ${layer.size} bytes; mcc reads SBOM and provenance documents of at most ${DOCUMENT_LIMIT / (1024 * 1024)} MiB`);
    let document: unknown;
    try {
      document = JSON.parse((await access.blob(layer.digest, layer.size)).toString("utf8"));
    } catch (error) {
      if (error instanceof SyntaxError) continue;
      throw error;
    }
    out.push({ artifactType: d.artifactType ?? doc.artifactType ?? doc.config?.mediaType ?? layer.mediaType, referrer: d.digest, document });
  }
  return out;
}

/**
 * Signs the image (the index and each platform's manifest) as `identity` with `key` into the
 * lookaside directory, and attests each platform's SBOM and provenance (once per key and
 * document). Returns what was written, relative to the lookaside.
 */
export async function signImage(host: Host, access: ImageAccess, identity: Identity, key: OpenPgp.PrivateKey, lookaside: string, creator: string): Promise<{ digest: string; path: string }[]> {
  const written: { digest: string; path: string }[] = [];
  const now = host.now();
  const manifests = await manifestsOf(access);
  for (const m of manifests) {
    const signature = await signMessage(claimBytes({ reference: identity.reference, digest: m.digest }, creator, Math.floor(now.getTime() / 1000)), key, now);
    written.push({ digest: m.digest, path: await writeSignature(host, lookaside, identity.path, m.digest, signature) });
  }
  const publicKey = [key.toPublic()];
  for (const m of manifests) {
    if (isIndexType(m.mediaType)) continue;
    const existing = await readSignatures(host, lookaside, identity.path, m.digest, "attestation");
    const opened = await Promise.all(existing.map((bytes) => openEnvelope(bytes, publicKey)));
    for (const doc of await referrerDocuments(access, m.digest)) {
      if (opened.some((o) => "statement" in o && statementCovers(o.statement, m.digest, doc.artifactType, doc.document))) continue;
      const envelope = await signStatement(statementFor(identity.repository, m.digest, doc.artifactType, doc.document), key, now);
      written.push({ digest: m.digest, path: await writeSignature(host, lookaside, identity.path, m.digest, envelope, "attestation") });
    }
  }
  return written;
}

/** What a signed digest covers, checked: the platforms' manifests, then every config and layer against its digest. */
export async function checkContents(access: ImageAccess, top?: FetchedManifest): Promise<{ manifests: FetchedManifest[]; blobs: number }> {
  const manifests = await manifestsOf(access, top);
  let blobs = 0;
  for (const m of manifests) {
    const doc = JSON.parse(m.bytes.toString("utf8")) as ManifestDocument;
    for (const b of [...(doc.config === undefined ? [] : [doc.config]), ...(doc.layers ?? [])]) {
      await access.checkBlob(b.digest, b.size);
      blobs++;
    }
  }
  return { manifests, blobs };
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
 * Verifies the image: a signature in the lookaside, by a key of the keyring, for this manifest
 * digest and this identity (containers' default, `matchRepoDigestOrExact`: the exact reference
 * when tagged, the repository when by digest); then every manifest an index names and every
 * config and layer, read and checked against their digests; with `attestations`, every SBOM
 * and provenance document attested by a key of the keyring. Throws VerificationError saying
 * what failed.
 */
export async function verifyImage(
  host: Host,
  access: ImageAccess,
  identity: Identity,
  keys: readonly OpenPgp.Key[],
  lookaside: string,
  options: { attestations?: boolean; name?: string } = {},
): Promise<Verified> {
  const top = await access.top();
  const name = options.name ?? identity.reference;
  const signatures = await readSignatures(host, lookaside, identity.path, top.digest);
  if (signatures.length === 0) throw new VerificationError(`${name} (${top.digest}) has no signature in ${lookaside}`);
  const asked = { repository: identity.repository, digest: top.digest, ...(identity.tagged ? { reference: identity.reference } : {}) };
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

  const { manifests, blobs } = await checkContents(access, top);
  if (options.attestations !== true) return { digest: top.digest, fingerprint, manifests: manifests.length, blobs };

  // Every SBOM and provenance document of every platform, attested by a key of the keyring.
  let attested = 0;
  for (const m of manifests) {
    if (isIndexType(m.mediaType)) continue;
    const documents = await referrerDocuments(access, m.digest);
    if (documents.length === 0) throw new VerificationError(`the manifest ${m.digest} of ${name} has no SBOM or provenance to attest`);
    const envelopes = await readSignatures(host, lookaside, identity.path, m.digest, "attestation");
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
