// The OpenPGP side of signing: keys made by mcc or by gpg, a claim signed as an OpenPGP signed
// message (what gpg --sign writes and what containers/image verifies through gpgme), and
// verification against a keyring. Computation only: the callers read and write the files.
import type * as OpenPgp from "openpgp";

const loadOpenPgp = () => import("openpgp");

/** A key that cannot be used: the message says why (wrong passphrase, not a key, no signing key). */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

export interface GeneratedKey {
  /** The private key, armored, encrypted with the passphrase when one is given. */
  readonly privateKey: string;
  /** The public key, armored: what policy.json's `keyPath` and `mcc verify --key` read. */
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** A new Ed25519 signing key (an OpenPGP v4 key, which gpg 2.2 and gpgme verify). */
export async function generateKey(userId: { name: string; email?: string }, passphrase: string | undefined): Promise<GeneratedKey> {
  const openpgp = await loadOpenPgp();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "ed25519Legacy",
    userIDs: [{ name: userId.name, ...(userId.email === undefined ? {} : { email: userId.email }) }],
    ...(passphrase === undefined ? {} : { passphrase }),
    format: "armored",
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { privateKey, publicKey, fingerprint: key.getFingerprint().toUpperCase() };
}

const isArmored = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 64)).includes("-----BEGIN PGP");

/** A private key from its file's bytes (armored or binary, as mcc keygen or `gpg --export-secret-keys` writes it), decrypted. */
export async function readSigningKey(bytes: Uint8Array, passphrase: string | undefined): Promise<OpenPgp.PrivateKey> {
  const openpgp = await loadOpenPgp();
  let key: OpenPgp.PrivateKey;
  try {
    key = isArmored(bytes) ? await openpgp.readPrivateKey({ armoredKey: new TextDecoder().decode(bytes) }) : await openpgp.readPrivateKey({ binaryKey: bytes });
  } catch (error) {
    throw new KeyError(`it is not an OpenPGP private key (${(error as Error).message.replace(/^.*?: /, "")})`);
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined) throw new KeyError("it is protected by a passphrase: give it with --passphrase-file FILE or the MCC_PASSPHRASE environment variable");
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      throw new KeyError("the passphrase does not open it");
    }
  }
  try {
    await key.getSigningKey();
  } catch {
    throw new KeyError("it has no key that may sign (expired, revoked, or for encryption only)");
  }
  return key;
}

/** The public keys of a keyring file (armored or binary; one key or several). */
export async function readVerifyingKeys(bytes: Uint8Array): Promise<OpenPgp.Key[]> {
  const openpgp = await loadOpenPgp();
  try {
    return isArmored(bytes) ? await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(bytes) }) : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new KeyError(`it is not an OpenPGP public key or keyring (${(error as Error).message.replace(/^.*?: /, "")})`);
  }
}

export function fingerprintOf(key: OpenPgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/** The content signed as an OpenPGP signed message (one-pass signature, literal data, signature), binary. */
export async function signMessage(content: Uint8Array, key: OpenPgp.PrivateKey, date: Date): Promise<Uint8Array> {
  const openpgp = await loadOpenPgp();
  const message = await openpgp.createMessage({ binary: content, date });
  return (await openpgp.sign({ message, signingKeys: key, format: "binary", date })) as Uint8Array;
}

/** The content of a signed message, when a key of the keyring made a valid signature of it; else why not. */
export async function verifyMessage(bytes: Uint8Array, keys: readonly OpenPgp.Key[]): Promise<{ content: Uint8Array; fingerprint: string } | { problem: string }> {
  const openpgp = await loadOpenPgp();
  let message: OpenPgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: bytes });
  } catch {
    return { problem: "it is not an OpenPGP message" };
  }
  try {
    const result = await openpgp.verify({ message, verificationKeys: [...keys], expectSigned: true, format: "binary" });
    const signer = result.signatures[0];
    if (signer === undefined) return { problem: "it holds no signature" };
    await signer.verified;
    const id = signer.keyID.toHex().toUpperCase();
    const key = keys.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex().toUpperCase() === id));
    return { content: result.data as Uint8Array, fingerprint: key === undefined ? id : fingerprintOf(key) };
  } catch (error) {
    const text = (error as Error).message;
    if (/Could not find signing key/i.test(text)) return { problem: "it was made by a key that is not in the keyring" };
    return { problem: `its signature does not verify (${text.replace(/^.*?: /, "")})` };
  }
}
