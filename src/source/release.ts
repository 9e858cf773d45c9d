import { createHash } from "node:crypto";
import type * as OpenPgp from "openpgp";
import { forEachParagraph } from "../debian/deb822.js";
import { SourceError } from "../host/errors.js";

/** One file listed in a Release file's `SHA256:` field. */
export interface ReleaseFile {
  readonly sha256: string;
  readonly size: number;
}

/** The signed facts of a suite, from its verified InRelease. */
export interface Release {
  readonly suite: string;
  readonly codename: string;
  readonly date?: Date;
  readonly validUntil?: Date;
  readonly acquireByHash: boolean;
  readonly architectures: readonly string[];
  readonly components: readonly string[];
  /** By path relative to `dists/<suite>/`. */
  readonly files: ReadonlyMap<string, ReleaseFile>;
  /** The key ids (hex) whose signatures verified. */
  readonly signedBy: readonly string[];
}

/** A keyring as read from its file: its digest now, its keys when a signature must be checked. */
export interface Keyring {
  /** The sha256 of the keyring file: what a remembered verification was made with. */
  readonly digest: string;
  /** The public keys, parsed the first time they are asked for (OpenPGP.js is large). */
  keys(): Promise<readonly OpenPgp.PublicKey[]>;
}

/** OpenPGP.js is large; it is loaded the first time a keyring or signature is read. */
const loadOpenPgp = () => import("openpgp");

/**
 * An OpenPGP keyring, binary (`.gpg`, `.pgp`) or ASCII-armored (`.asc`); its keys are parsed
 * when first needed, and a keyring that cannot be read says so then.
 */
export function readKeyring(bytes: Uint8Array, name: string): Keyring {
  let keys: Promise<readonly OpenPgp.PublicKey[]> | undefined;
  return {
    digest: createHash("sha256").update(bytes).digest("hex"),
    keys: () => (keys ??= parseKeys(bytes, name)),
  };
}

async function parseKeys(bytes: Uint8Array, name: string): Promise<readonly OpenPgp.PublicKey[]> {
  const openpgp = await loadOpenPgp();
  try {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 64));
    if (text.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
      return await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(bytes) });
    }
    return await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new SourceError(`the keyring ${name} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Verifies a clearsigned InRelease and returns only what the signature covers. At least one
 * signature must verify with a key of the keyring; a signature made by a keyring key that
 * does not verify (tampered text) fails the whole file. Signatures by keys we do not hold are
 * ignored, as apt does: Debian signs with several keys at once.
 */
export async function verifyInRelease(text: string, keyring: Keyring, where: string): Promise<string> {
  const keys = await keyring.keys();
  const openpgp = await loadOpenPgp();
  let message: OpenPgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text });
  } catch (error) {
    throw new SourceError(`${where} is not a clearsigned OpenPGP message: ${(error as Error).message}`);
  }
  const result = await openpgp.verify({ message, verificationKeys: [...keys], expectSigned: false });
  const good: string[] = [];
  const known = new Set(keys.flatMap((k) => [k, ...k.getSubkeys()].map((s) => s.getKeyID().toHex())));
  for (const signature of result.signatures) {
    const id = signature.keyID.toHex();
    try {
      await signature.verified;
      good.push(id);
    } catch (error) {
      if (known.has(id)) {
        throw new SourceError(`the signature of ${where} by key ${id} does not verify: ${(error as Error).message}`, "the file was altered, or the mirror is broken; try again later or use another mirror");
      }
    }
  }
  if (good.length === 0) {
    const ids = result.signatures.map((s) => s.keyID.toHex()).join(", ") || "none";
    throw new SourceError(`${where} is not signed by any key of the keyring (signatures by: ${ids})`, "check from.keyring: it must hold the archive's signing keys");
  }
  // Only the signed text counts: anything outside the clearsigned block is never read.
  return result.data as string;
}

/** Parses the (already verified) text of a Release file. */
export function parseRelease(text: string, signedBy: readonly string[], where: string): Release {
  let fields: ReadonlyMap<string, string> | undefined;
  forEachParagraph(text, (p) => {
    fields ??= p;
  });
  if (fields === undefined) throw new SourceError(`${where} is empty`);
  const files = new Map<string, ReleaseFile>();
  for (const line of (fields.get("sha256") ?? "").split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3) continue;
    const [sha256, size, path] = parts as [string, string, string];
    if (/^[0-9a-f]{64}$/.test(sha256)) files.set(path, { sha256, size: Number(size) });
  }
  if (files.size === 0) throw new SourceError(`${where} lists no SHA256 checksums; mcc accepts only SHA256-signed indexes`);
  const date = parseDate(fields.get("date"));
  const validUntil = parseDate(fields.get("valid-until"));
  return {
    suite: fields.get("suite") ?? "",
    codename: fields.get("codename") ?? "",
    ...(date === undefined ? {} : { date }),
    ...(validUntil === undefined ? {} : { validUntil }),
    acquireByHash: (fields.get("acquire-by-hash") ?? "").toLowerCase() === "yes",
    architectures: (fields.get("architectures") ?? "").split(/\s+/).filter(Boolean),
    components: (fields.get("components") ?? "").split(/\s+/).filter(Boolean),
    files,
    signedBy,
  };
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value.replace(/ UTC$/, " GMT"));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Refuses a Release past its Valid-Until (a frozen or replayed archive), unless allowed. */
export function checkFreshness(release: Release, now: Date, allowExpired: boolean, where: string): void {
  if (release.validUntil !== undefined && release.validUntil.getTime() < now.getTime() && !allowExpired) {
    throw new SourceError(
      `${where} expired on ${release.validUntil.toISOString()} (Valid-Until); an expired index may be a replayed old archive`,
      "for a pinned old snapshot, pass --allow-expired",
    );
  }
}
