// Containers' "simple signing": what a signature says (the image's manifest digest and the
// reference it was signed for) and when a signature's claim matches the image a client asked
// for. The OpenPGP envelope is openpgp.ts's; here only the JSON claim. Pure.

export const SIGNATURE_TYPE = "atomic container signature";

/** The claim a signature makes, as the JSON inside the OpenPGP message. */
export interface SignedClaim {
  /** The docker reference the image was signed for (`HOST/REPO:TAG` or `HOST/REPO`). */
  readonly reference: string;
  /** `sha256:<hex>` of the manifest (or index) bytes. */
  readonly digest: string;
}

/** The JSON a signature signs: identity and manifest digest (critical), who made it (optional). */
export function claimBytes(claim: SignedClaim, creator: string, timestamp: number): Uint8Array {
  const doc = {
    critical: { identity: { "docker-reference": claim.reference }, image: { "docker-manifest-digest": claim.digest }, type: SIGNATURE_TYPE },
    optional: { creator, timestamp },
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

/** Reads a signed claim; a reason when the JSON is not one (containers/image refuses the same). */
export function parseClaim(bytes: Uint8Array): SignedClaim | { problem: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return { problem: "its content is not JSON" };
  }
  const critical = (doc as { critical?: unknown })?.critical as { type?: unknown; identity?: { "docker-reference"?: unknown }; image?: { "docker-manifest-digest"?: unknown } } | undefined;
  if (typeof critical !== "object" || critical === null) return { problem: "it has no critical section" };
  if (critical.type !== SIGNATURE_TYPE) return { problem: `its type is ${JSON.stringify(critical.type)}, not "${SIGNATURE_TYPE}"` };
  const reference = critical.identity?.["docker-reference"];
  const digest = critical.image?.["docker-manifest-digest"];
  if (typeof reference !== "string" || typeof digest !== "string") return { problem: "it names no docker reference or manifest digest" };
  return { reference, digest };
}

/**
 * Whether a claim covers the image asked for, as containers' default policy
 * (`matchRepoDigestOrExact`) decides: the same manifest digest, and the same reference when it
 * was asked for by tag, or the same repository when by digest. A reason when not.
 */
export function claimMatches(claim: SignedClaim, asked: { repository: string; reference?: string; digest: string }): string | undefined {
  if (claim.digest !== asked.digest) return `it is for the manifest ${claim.digest}, not ${asked.digest}`;
  const repositoryOf = (ref: string) => ref.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "");
  if (asked.reference !== undefined) {
    if (claim.reference !== asked.reference) return `it was signed for ${claim.reference}, not ${asked.reference}`;
  } else if (repositoryOf(claim.reference) !== asked.repository) {
    return `it was signed for ${claim.reference}, another repository than ${asked.repository}`;
  }
  return undefined;
}
