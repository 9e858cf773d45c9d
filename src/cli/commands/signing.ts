// `mcc keygen`, `mcc sign`, `mcc verify`, and the signing half of push and pull: containers'
// simple signing with OpenPGP keys, signatures in a lookaside store (docs/signing.md).
import { dirname, resolve } from "node:path";
import type * as OpenPgp from "openpgp";
import { parseReference, formatReference, type ImageReference } from "../../registry/reference.js";
import { generateKey, KeyError, readSigningKey, readVerifyingKeys, fingerprintOf } from "../../signing/openpgp.js";
import { checkContents, identityOf, signImage, verifyImage, VerificationError, type Identity } from "../../signing/image-signatures.js";
import { layoutAccess, manifestsOf, registryAccess, type ImageAccess } from "../../signing/image-access.js";
import { generateCosignKey, readCosignPrivateKey, readCosignPublicKey } from "../../signing/cosign.js";
import { pushCosignSignatures, verifyCosignSignature } from "../../signing/cosign-registry.js";
import type { RegistryClient } from "../../registry/client.js";
import { createHash, createPublicKey } from "node:crypto";
import { openLayout } from "../../registry/oci-source.js";
import { VERSION } from "../../version.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import { HostError } from "../../host/host.js";
import type { CliIo } from "../io.js";
import { connect } from "./registry-access.js";
import { pullCommand, pushCommand, reportingRegistryErrors, type PushCommandOptions, type RegistryOptions } from "./registry.js";

/** Where a passphrase comes from: a file, or MCC_PASSPHRASE; never the command line. */
export interface PassphraseOptions {
  readonly passphraseFile?: string;
}

const WRITE_FAILURES: Record<string, string> = {
  ENOENT: "its directory does not exist",
  ENOTDIR: "a part of the path is a file, not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EISDIR: "it is a directory",
};

/** A refusal of the user's input (a key that cannot be read): exit 1, one line. */
class SigningInputError extends Error {}

async function passphraseOf(options: PassphraseOptions, io: CliIo): Promise<string | undefined> {
  if (options.passphraseFile !== undefined) {
    const path = resolve(io.cwd, options.passphraseFile);
    if ((await io.host.stat(path))?.kind !== "file") throw new SigningInputError(`--passphrase-file ${options.passphraseFile}: no such file`);
    // The first line, as gpg's --passphrase-file reads it.
    return new TextDecoder().decode(await io.host.readFile(path)).split(/\r?\n/)[0] ?? "";
  }
  return io.env["MCC_PASSPHRASE"] || undefined;
}

async function readKeyFile(io: CliIo, file: string, what: string): Promise<Uint8Array> {
  const path = resolve(io.cwd, file);
  if ((await io.host.stat(path))?.kind !== "file") throw new SigningInputError(`${what} ${file}: no such file`);
  return io.host.readFile(path);
}

export async function loadSigningKey(io: CliIo, file: string, options: PassphraseOptions): Promise<OpenPgp.PrivateKey> {
  const bytes = await readKeyFile(io, file, "the signing key");
  try {
    return await readSigningKey(bytes, await passphraseOf(options, io));
  } catch (error) {
    if (error instanceof KeyError) throw new SigningInputError(`the signing key ${file}: ${error.message}`);
    throw error;
  }
}

async function loadKeyring(io: CliIo, file: string): Promise<OpenPgp.Key[]> {
  const bytes = await readKeyFile(io, file, "the key");
  try {
    return await readVerifyingKeys(bytes);
  } catch (error) {
    if (error instanceof KeyError) throw new SigningInputError(`the key ${file}: ${error.message}`);
    throw error;
  }
}

/** Runs a signing command: bad keys exit 1, refused images 3, registry errors as push and pull say. */
export async function reportingSigningErrors(io: CliIo, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await reportingRegistryErrors(io, run);
  } catch (error) {
    if (error instanceof SigningInputError) {
      io.stderr(`mcc: error: ${error.message}\n`);
      return EXIT.userError;
    }
    if (error instanceof VerificationError) {
      io.stderr(`mcc: error: refused: ${error.message}\n`);
      return EXIT.world;
    }
    if (error instanceof HostError) {
      io.stderr(`mcc: error: ${error.message}\n`);
      return EXIT.userError;
    }
    // A key file or a signature that cannot be written where the user said: their path, not a bug.
    const failed = error as NodeJS.ErrnoException;
    if (typeof failed.code === "string" && typeof failed.path === "string" && WRITE_FAILURES[failed.code] !== undefined) {
      io.stderr(`mcc: error: cannot write ${failed.path}: ${WRITE_FAILURES[failed.code]}\n`);
      return EXIT.userError;
    }
    throw error;
  }
}

const lookasideOf = (io: CliIo, lookaside: string) => (/^https?:\/\//.test(lookaside) ? lookaside : resolve(io.cwd, lookaside.replace(/^file:\/\//, "")));

export interface KeygenOptions extends PassphraseOptions {
  /** An ECDSA P-256 pair (PEM) for cosign-format signatures, instead of an OpenPGP key. */
  readonly cosign?: boolean;
  readonly output?: string;
  readonly name?: string;
  readonly email?: string;
  readonly force?: boolean;
}

/** `mcc keygen`: PREFIX.key (the private key, 0600) and PREFIX.pub (what verifiers and policy.json's keyPath read). */
export async function keygenCommand(options: KeygenOptions, io: CliIo): Promise<ExitCode> {
  return reportingSigningErrors(io, async () => {
    const prefix = resolve(io.cwd, options.output ?? "mcc-signing");
    const [keyFile, pubFile] = [`${prefix}.key`, `${prefix}.pub`];
    if ((await io.host.stat(dirname(prefix)))?.kind !== "directory") throw new SigningInputError(`the directory ${dirname(prefix)} does not exist; mcc keygen writes the keys into a directory that does`);
    for (const file of [keyFile, pubFile]) {
      if (options.force !== true && (await io.host.stat(file)) !== undefined) throw new SigningInputError(`${file} exists; mcc keygen writes only new keys (--force to replace them)`);
    }
    const passphrase = await passphraseOf(options, io);
    if (options.cosign === true) {
      const pair = generateCosignKey(passphrase);
      await io.host.writeFileAtomic(keyFile, pair.privateKey);
      await io.host.setMode(keyFile, 0o600);
      await io.host.writeFileAtomic(pubFile, pair.publicKey);
      io.stderr(`wrote ${keyFile} (ECDSA P-256, PKCS#8${passphrase === undefined ? ", not encrypted" : ", encrypted with the passphrase"}) and ${pubFile} (what cosign verify --key reads)\n`);
      io.stdout(`${createHash("sha256").update(createPublicKey(pair.publicKey).export({ type: "spki", format: "der" })).digest("hex")}\n`);
      return EXIT.ok;
    }
    const key = await generateKey({ name: options.name ?? "mcc image signing", ...(options.email === undefined ? {} : { email: options.email }) }, passphrase);
    await io.host.writeFileAtomic(keyFile, key.privateKey);
    await io.host.setMode(keyFile, 0o600);
    await io.host.writeFileAtomic(pubFile, key.publicKey);
    io.stderr(`wrote ${keyFile} (private${passphrase === undefined ? ", not encrypted: keep it secret, or give a passphrase with --passphrase-file or MCC_PASSPHRASE" : ", encrypted with the passphrase"}) and ${pubFile}\n`);
    io.stdout(`${key.fingerprint}\n`);
    return EXIT.ok;
  });
}

export interface SignOptions extends RegistryOptions, PassphraseOptions {
  /** Where simple signatures go (an OpenPGP key); a cosign key's go to the registry. */
  readonly lookaside?: string;
  /** For a local layout: the reference it will be pulled by (what the signature names). */
  readonly identity?: string;
}

/**
 * What a signing command reads: an image in a registry (TARGET is a reference), or an OCI
 * layout or oci-archive on disk (TARGET is a path) signed as `--identity REF`, the reference it
 * will be pushed to and pulled by.
 */
async function withImage<T>(target: string, options: RegistryOptions & { identity?: string }, io: CliIo, use: (access: ImageAccess, identity: Identity, registry?: { client: RegistryClient; repo: string }) => Promise<T>): Promise<T> {
  const path = resolve(io.cwd, target);
  if ((await io.host.stat(path)) !== undefined) {
    if (options.identity === undefined) throw new SigningInputError(`${target} is a local image: give --identity REF, the reference it will be pulled by (a signature names it)`);
    const identity = identityOf(parseReference(options.identity));
    const source = await openLayout(path);
    try {
      return await use(await layoutAccess(source), identity);
    } finally {
      await source.close();
    }
  }
  const ref = parseReference(target);
  if (options.identity !== undefined) throw new SigningInputError("--identity is for a local layout; an image in a registry is signed as the reference that names it");
  const client = await connect(ref, options, io);
  try {
    return await use(registryAccess(client, ref.repository, ref.digest ?? ref.tag ?? "latest"), identityOf(ref), { client, repo: ref.repository });
  } finally {
    client.close();
  }
}

/** Whether a key file is a PEM key (cosign's format) rather than an OpenPGP one. */
async function isCosignKey(io: CliIo, file: string): Promise<boolean> {
  const head = new TextDecoder().decode((await readKeyFile(io, file, "the key")).subarray(0, 128));
  return /-----BEGIN (ENCRYPTED |EC )?(PRIVATE|PUBLIC) KEY-----/.test(head);
}

/**
 * Signs what a target names (after a push, or on its own), printing each signature written:
 * with an OpenPGP key, simple signatures and attestations into the lookaside; with a PEM
 * ECDSA key (mcc keygen --cosign), cosign-format signatures into the registry.
 */
export async function signTarget(target: string, keyFile: string, options: SignOptions, io: CliIo): Promise<void> {
  if (await isCosignKey(io, keyFile)) {
    const key = await loadCosignKey(io, keyFile, options);
    await withImage(target, options, io, async (access, identity, registry) => {
      if (registry === undefined) throw new SigningInputError("a cosign signature is written to the registry beside the image: push the layout first, then sign the reference");
      const digests = (await manifestsOf(access)).map((m) => m.digest);
      const tags = await pushCosignSignatures(registry.client, registry.repo, identity.repository, digests, key);
      if (!options.quiet) for (const tag of tags) io.stderr(`signed in cosign's format: ${identity.repository}:${tag}\n`);
    });
    return;
  }
  if (options.lookaside === undefined) throw new SigningInputError("an OpenPGP key signs into a lookaside: give --lookaside DIR (registries.d's lookaside)");
  const lookaside = options.lookaside;
  const key = await loadSigningKey(io, keyFile, options);
  await withImage(target, options, io, async (access, identity) => {
    const written = await signImage(io.host, access, identity, key, lookasideOf(io, lookaside), `mcc ${VERSION}`);
    if (!options.quiet) for (const w of written) io.stderr(`signed ${w.digest.slice(0, 19)} as ${identity.reference} with ${fingerprintOf(key)}: ${w.path}\n`);
  });
}

async function loadCosignKey(io: CliIo, file: string, options: PassphraseOptions) {
  const bytes = await readKeyFile(io, file, "the signing key");
  try {
    return readCosignPrivateKey(bytes, await passphraseOf(options, io));
  } catch (error) {
    if (error instanceof KeyError) throw new SigningInputError(`the signing key ${file}: ${error.message}`);
    throw error;
  }
}

/** `mcc sign TARGET KEY --lookaside DIR [--identity REF]`. */
export async function signCommand(target: string, keyFile: string, options: SignOptions, io: CliIo): Promise<ExitCode> {
  return reportingSigningErrors(io, async () => {
    await signTarget(target, keyFile, options, io);
    return EXIT.ok;
  });
}

export interface VerifyOptions extends RegistryOptions {
  readonly key: string;
  /** Where the simple signatures are (an OpenPGP key); a cosign key's are in the registry. */
  readonly lookaside?: string;
  /** Also require each SBOM and provenance to be attested by the key. */
  readonly attestations?: boolean;
  /** For a local layout: the reference its signature must name. */
  readonly identity?: string;
}

/** Verifies a target; returns the verified digest. */
export async function verifyTarget(target: string, options: VerifyOptions, io: CliIo): Promise<string> {
  if (await isCosignKey(io, options.key)) {
    if (options.attestations === true) throw new SigningInputError("--attestations checks the OpenPGP-signed attestations in a lookaside; a cosign key verifies the image's signature only");
    let key: ReturnType<typeof readCosignPublicKey>;
    try {
      key = readCosignPublicKey(await readKeyFile(io, options.key, "the key"));
    } catch (error) {
      if (error instanceof KeyError) throw new SigningInputError(`the key ${options.key}: ${error.message}`);
      throw error;
    }
    return withImage(target, options, io, async (access, identity, registry) => {
      if (registry === undefined) throw new SigningInputError("cosign signatures are in the registry beside the image: verify the pushed reference");
      const top = await access.top();
      await verifyCosignSignature(registry.client, registry.repo, top.digest, key, target);
      const { manifests, blobs } = await checkContents(access, top);
      if (!options.quiet) io.stderr(`verified ${target} (${top.digest}): a cosign signature by the key; ${manifests.length} manifests and ${blobs} blobs match their digests\n`);
      return top.digest;
    });
  }
  if (options.lookaside === undefined) throw new SigningInputError("an OpenPGP key verifies signatures in a lookaside: give --lookaside DIR|URL");
  const lookaside = options.lookaside;
  const keys = await loadKeyring(io, options.key);
  return withImage(target, options, io, async (access, identity) => {
    const verified = await verifyImage(io.host, access, identity, keys, lookasideOf(io, lookaside), { attestations: options.attestations === true, name: target });
    const attested = verified.attested === undefined ? "" : `; ${verified.attested} SBOM and provenance documents attested`;
    if (!options.quiet) io.stderr(`verified ${target} (${verified.digest}) as ${identity.reference}: signed by ${verified.fingerprint}; ${verified.manifests} manifests and ${verified.blobs} blobs match their digests${attested}\n`);
    return verified.digest;
  });
}

/** Verifies a registry reference; returns it pinned to the verified digest. */
export async function verifyReference(ref: ImageReference, options: VerifyOptions, io: CliIo): Promise<ImageReference> {
  return { ...ref, digest: await verifyTarget(formatReference(ref), options, io) };
}

/** `mcc verify TARGET --key KEY --lookaside DIR|URL`: exit 0 and the verified digest, or 3 and why not. */
export async function verifyCommand(target: string, options: VerifyOptions, io: CliIo): Promise<ExitCode> {
  return reportingSigningErrors(io, async () => {
    const digest = await verifyTarget(target, options, io);
    const local = (await io.host.stat(resolve(io.cwd, target))) !== undefined;
    io.stdout(`${local ? digest : formatReference({ ...parseReference(target), digest })}\n`);
    return EXIT.ok;
  });
}

/** `mcc push OUTPUT REF --sign KEY --lookaside DIR`: the key is read first, so a wrong passphrase pushes nothing. */
export async function pushSignedCommand(output: string, reference: string, options: PushCommandOptions & PassphraseOptions & { sign: string; lookaside?: string }, io: CliIo): Promise<ExitCode> {
  return reportingSigningErrors(io, async () => {
    // The key is opened first, so a wrong passphrase pushes nothing.
    if (await isCosignKey(io, options.sign)) await loadCosignKey(io, options.sign, options);
    else {
      if (options.lookaside === undefined) throw new SigningInputError("--sign needs --lookaside DIR: the directory the signatures go to (registries.d's lookaside)");
      await loadSigningKey(io, options.sign, options);
    }
    const pushed = await pushCommand(output, reference, options, io);
    if (pushed !== EXIT.ok) return pushed;
    await signTarget(reference, options.sign, options, io);
    return EXIT.ok;
  });
}

/** `mcc pull REF DIR --verify KEY --lookaside DIR|URL`: nothing is written unless the image verifies; what is pulled is the verified digest. */
export async function pullVerifiedCommand(reference: string, dir: string, options: RegistryOptions & { force?: boolean; verify: string; lookaside?: string }, io: CliIo): Promise<ExitCode> {
  return reportingSigningErrors(io, async () => {
    const pinned = await verifyReference(parseReference(reference), { ...options, key: options.verify }, io);
    return pullCommand(formatReference(pinned), dir, options, io);
  });
}
