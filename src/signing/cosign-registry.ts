// Cosign-format signatures in a registry: written beside the image under its `sha256-<hex>.sig`
// tag (adding to the signatures there), and checked from there.
import { createPublicKey, type KeyObject } from "node:crypto";
import { collectBytes } from "../host/host.js";
import type { RegistryClient } from "../registry/client.js";
import { RegistryError } from "../registry/errors.js";
import type { Descriptor, ManifestDocument } from "../formats/oci-media-types.js";
import { sha256, checkCosignLayer, COSIGN_PAYLOAD_TYPE, COSIGN_SIGNATURE_ANNOTATION, cosignLayer, cosignManifest, cosignPayload, cosignTag } from "./cosign.js";
import { VerificationError } from "./image-signatures.js";

type Layer = Descriptor & { annotations?: Record<string, string> };

/** The largest payload read: cosign's are a few hundred bytes. */
const PAYLOAD_LIMIT = 64 * 1024;

/** The signature layers already under a manifest's `.sig` tag (none when the tag is not there). */
async function existingLayers(client: RegistryClient, repo: string, digest: string): Promise<Layer[]> {
  try {
    const got = await client.getManifest(repo, cosignTag(digest));
    return ((JSON.parse(got.bytes.toString("utf8")) as ManifestDocument).layers ?? []) as Layer[];
  } catch (error) {
    if (error instanceof RegistryError && error.kind === "not-found") return [];
    throw error;
  }
}

/** Signs each manifest digest in cosign's format, under its `.sig` tag; returns the tags written. */
export async function pushCosignSignatures(client: RegistryClient, repo: string, repository: string, digests: readonly string[], key: KeyObject): Promise<string[]> {
  const tags: string[] = [];
  for (const digest of digests) {
    const payload = cosignPayload(repository, digest);
    const layers = await existingLayers(client, repo, digest);
    // ECDSA signatures differ each time: one this key made of this payload already is enough.
    const publicKey = createPublicKey(key);
    const payloadDigest = sha256(payload);
    if (layers.some((l) => l.digest === payloadDigest && checkCosignLayer(payload, l.annotations?.[COSIGN_SIGNATURE_ANNOTATION], digest, publicKey) === undefined)) {
      tags.push(cosignTag(digest));
      continue;
    }
    const layer = cosignLayer(payload, key);
    const { manifest, config, configDescriptor } = cosignManifest([...layers, layer]);
    await client.putBlob(repo, payload, { digest: layer.digest, size: layer.size });
    await client.putBlob(repo, config, { digest: configDescriptor.digest, size: configDescriptor.size });
    await client.putManifest(repo, cosignTag(digest), manifest, "application/vnd.oci.image.manifest.v1+json");
    tags.push(cosignTag(digest));
  }
  return tags;
}

/** Checks that a cosign signature under the `.sig` tag verifies the manifest `digest` with `key`; throws VerificationError otherwise. */
export async function verifyCosignSignature(client: RegistryClient, repo: string, digest: string, key: KeyObject, name: string): Promise<void> {
  // A payload is a few hundred bytes; the signature object's own sizes are not trusted.
  const layers = (await existingLayers(client, repo, digest)).filter((l) => l.mediaType === COSIGN_PAYLOAD_TYPE && l.size <= PAYLOAD_LIMIT).slice(0, 64);
  if (layers.length === 0) throw new VerificationError(`${name} (${digest}) has no cosign signature (no ${cosignTag(digest)} tag)`);
  const problems: string[] = [];
  for (const layer of layers) {
    const problem = checkCosignLayer(await collectBytes(await client.getBlob(repo, layer.digest, layer.size)), layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION], digest, key);
    if (problem === undefined) return;
    problems.push(problem);
  }
  throw new VerificationError(`no cosign signature of ${name} (${digest}) verifies with the key: ${[...new Set(problems)].join("; ")}`);
}
