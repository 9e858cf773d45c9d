// Cosign-format signatures, for the verifiers of other ecosystems (Kubernetes admission
// controllers, cosign itself): an OCI image manifest tagged `sha256-<hex>.sig` in the image's
// repository, each layer a simple-signing payload (`cosign container image signature`) whose
// ECDSA P-256 signature over SHA-256 is the layer's `dev.cosignproject.cosign/signature`
// annotation (base64, DER), as cosign's SIGNATURE_SPEC says. No transparency log: a verifier
// must be told to skip it (cosign verify --insecure-ignore-tlog). Pure but for node:crypto.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { MEDIA, type Descriptor } from "../formats/oci-media-types.js";
import { KeyError } from "./openpgp.js";

export const COSIGN_PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
export const COSIGN_TYPE = "cosign container image signature";

/** The tag cosign's signatures of the manifest `digest` live under. */
export function cosignTag(digest: string): string {
  return `${digest.replace(":", "-")}.sig`;
}

/** A new ECDSA P-256 key pair as PEM: PKCS#8 (encrypted with the passphrase when given) and SPKI (what `cosign verify --key` reads). */
export function generateCosignKey(passphrase: string | undefined): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem", ...(passphrase === undefined ? {} : { cipher: "aes-256-cbc", passphrase }) },
  });
  return { privateKey, publicKey };
}

export function readCosignPrivateKey(pem: Uint8Array, passphrase: string | undefined): KeyObject {
  const encrypted = Buffer.from(pem).subarray(0, 64).toString("latin1").includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  if (encrypted && passphrase === undefined) throw new KeyError("it is protected by a passphrase: give it with --passphrase-file FILE or MCC_PASSPHRASE");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(pem), format: "pem", ...(passphrase === undefined ? {} : { passphrase }) });
  } catch (error) {
    const text = (error as Error).message;
    if (encrypted || /passphrase|decrypt/i.test(text)) throw new KeyError("the passphrase does not open it");
    throw new KeyError("it is not a PEM private key (mcc keygen --cosign writes one)");
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new KeyError("it is not an ECDSA P-256 key, the scheme cosign's signatures use");
  return key;
}

export function readCosignPublicKey(pem: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(pem), format: "pem" });
  } catch {
    throw new KeyError("it is not a PEM public key (mcc keygen --cosign writes one, as cosign generate-key-pair does)");
  }
}

/** The payload cosign signs: the manifest digest, and the repository (which cosign's verifiers do not check). */
export function cosignPayload(repository: string, digest: string): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": repository }, image: { "docker-manifest-digest": digest }, type: COSIGN_TYPE }, optional: null }));
}

export const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A signature layer: the payload's descriptor, with the signature as its annotation. */
export function cosignLayer(payload: Buffer, key: KeyObject): Descriptor & { annotations: Record<string, string> } {
  const signature = sign("sha256", payload, key).toString("base64");
  return { mediaType: COSIGN_PAYLOAD_TYPE, digest: sha256(payload), size: payload.length, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature } };
}

/**
 * The signature manifest with `layers` (the ones already there and the new one, each payload
 * once), and its config: an empty image config naming the layers.
 */
export function cosignManifest(layers: readonly (Descriptor & { annotations?: Record<string, string> })[]): { manifest: Buffer; config: Buffer; configDescriptor: Descriptor } {
  const config = Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } }));
  const configDescriptor = { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length };
  const manifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: configDescriptor, layers };
  return { manifest: Buffer.from(JSON.stringify(manifest)), config, configDescriptor };
}

/** Whether a signature layer's payload and annotation verify for `digest` with `key`; why not otherwise. */
export function checkCosignLayer(payload: Buffer, signature: string | undefined, digest: string, key: KeyObject): string | undefined {
  if (signature === undefined) return "a layer has no signature annotation";
  if (!verify("sha256", payload, key, Buffer.from(signature, "base64"))) return "a signature does not verify with the key";
  let doc: { critical?: { type?: unknown; image?: { "docker-manifest-digest"?: unknown } } };
  try {
    doc = JSON.parse(payload.toString("utf8")) as typeof doc;
  } catch {
    return "a payload is not JSON";
  }
  if (doc.critical?.type !== COSIGN_TYPE) return `a payload's type is ${JSON.stringify(doc.critical?.type)}`;
  if (doc.critical.image?.["docker-manifest-digest"] !== digest) return `a signature is for ${String(doc.critical.image?.["docker-manifest-digest"])}, not ${digest}`;
  return undefined;
}
