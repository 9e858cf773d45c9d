// Signed attestations: each SBOM and provenance document attached to an image (its OCI 1.1
// referrers) as an in-toto Statement v1 about that image's manifest, in a DSSE envelope signed
// with the image's OpenPGP key (a detached signature over DSSE's pre-authentication encoding).
// The envelopes live in the lookaside beside the image's signatures, as
// `REPOSITORY@sha256=HEX/attestation-N`. Pure, but for the OpenPGP calls.
import type * as OpenPgp from "openpgp";
import { SPDX_MEDIA_TYPE } from "../formats/oci-media-types.js";
import { fingerprintOf } from "./openpgp.js";

const loadOpenPgp = () => import("openpgp");

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const DSSE_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** The predicate type of a referrer's document: SPDX's own URI for an SBOM, else its media type. */
export function predicateTypeOf(artifactType: string): string {
  return artifactType === SPDX_MEDIA_TYPE ? "https://spdx.dev/Document" : artifactType;
}

export interface Statement {
  readonly _type: string;
  readonly subject: readonly { readonly name: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicateType: string;
  readonly predicate: unknown;
}

/** The statement that `document` (a referrer's content) is about the image manifest `digest` of `name`. */
export function statementFor(name: string, digest: string, artifactType: string, document: unknown): Statement {
  return { _type: STATEMENT_TYPE, subject: [{ name, digest: { sha256: digest.replace(/^sha256:/, "") } }], predicateType: predicateTypeOf(artifactType), predicate: document };
}

/** DSSE's pre-authentication encoding: what the signature covers. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`DSSEv1 ${new TextEncoder().encode(payloadType).length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export async function signStatement(statement: Statement, key: OpenPgp.PrivateKey, date: Date): Promise<Uint8Array> {
  const openpgp = await loadOpenPgp();
  const payload = new TextEncoder().encode(JSON.stringify(statement));
  const message = await openpgp.createMessage({ binary: pae(DSSE_PAYLOAD_TYPE, payload), date });
  const sig = (await openpgp.sign({ message, signingKeys: key, detached: true, format: "binary", date })) as Uint8Array;
  const envelope: Envelope = { payloadType: DSSE_PAYLOAD_TYPE, payload: Buffer.from(payload).toString("base64"), signatures: [{ keyid: fingerprintOf(key), sig: Buffer.from(sig).toString("base64") }] };
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** The statement of an envelope when a key of the keyring signed it; else why not. */
export async function openEnvelope(bytes: Uint8Array, keys: readonly OpenPgp.Key[]): Promise<{ statement: Statement; fingerprint: string } | { problem: string }> {
  const openpgp = await loadOpenPgp();
  let envelope: Envelope;
  try {
    envelope = JSON.parse(new TextDecoder().decode(bytes)) as Envelope;
  } catch {
    return { problem: "it is not a DSSE envelope (not JSON)" };
  }
  if (envelope.payloadType !== DSSE_PAYLOAD_TYPE || typeof envelope.payload !== "string" || !Array.isArray(envelope.signatures)) return { problem: "it is not an in-toto DSSE envelope" };
  const payload = Buffer.from(envelope.payload, "base64");
  const signed = pae(envelope.payloadType, payload);
  const problems: string[] = [];
  for (const s of envelope.signatures) {
    try {
      const signature = await openpgp.readSignature({ binarySignature: Buffer.from(String(s.sig), "base64") });
      const result = await openpgp.verify({ message: await openpgp.createMessage({ binary: signed }), signature, verificationKeys: [...keys], expectSigned: true, format: "binary" });
      const signer = result.signatures[0];
      if (signer === undefined) continue;
      await signer.verified;
      const id = signer.keyID.toHex().toUpperCase();
      const key = keys.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex().toUpperCase() === id));
      let statement: Statement;
      try {
        statement = JSON.parse(payload.toString("utf8")) as Statement;
      } catch {
        return { problem: "its payload is not JSON" };
      }
      if (statement._type !== STATEMENT_TYPE) return { problem: `its statement type is ${JSON.stringify(statement._type)}` };
      return { statement, fingerprint: key === undefined ? id : fingerprintOf(key) };
    } catch (error) {
      problems.push(/Could not find signing key/i.test((error as Error).message) ? "made by a key that is not in the keyring" : "its signature does not verify");
    }
  }
  return { problem: problems.length === 0 ? "it has no signature" : problems.join(", ") };
}

/** Whether a statement attests `document` (by content) about the manifest `digest`. */
export function statementCovers(statement: Statement, digest: string, artifactType: string, document: unknown): boolean {
  const hex = digest.replace(/^sha256:/, "");
  return (
    statement.subject.some((s) => s.digest["sha256"] === hex) &&
    statement.predicateType === predicateTypeOf(artifactType) &&
    JSON.stringify(statement.predicate) === JSON.stringify(document)
  );
}
