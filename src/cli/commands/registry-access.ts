import { createRegistryClient, type RegistryClient } from "../../registry/client.js";
import { lookupCredentials } from "../../registry/credentials.js";
import { parseReference, ReferenceError, type ImageReference } from "../../registry/reference.js";
import { RegistryError } from "../../registry/errors.js";
import type { CliIo } from "../io.js";

/** The command-line options of every command that talks to a registry. */
export interface RegistryFlags {
  /** Plain http, for a registry on loopback only. */
  readonly insecure?: boolean;
  /** A PEM file of CA certificates to trust for the registry's TLS certificate. */
  readonly caFile?: string;
  readonly quiet?: boolean;
}

/** A client for the reference's registry, with credentials from the environment or docker config. */
export async function connect(ref: ImageReference, options: RegistryFlags, io: CliIo, chunkSize?: number): Promise<RegistryClient> {
  const found = await lookupCredentials(ref.host, io.env);
  // SSL_CERT_FILE names extra CAs the way OpenSSL tools read it; --ca-file wins.
  const caFile = options.caFile ?? (io.env["SSL_CERT_FILE"] || undefined);
  return createRegistryClient({
    host: ref.host,
    insecure: options.insecure === true,
    ...(caFile === undefined ? {} : { caFile }),
    ...(found.credentials === undefined ? {} : { credentials: found.credentials }),
    credentialsNote: found.note,
    ...(found.problem === undefined ? {} : { credentialsProblem: found.problem }),
    ...(chunkSize === undefined ? {} : { chunkSize }),
    onRetry: (what, attempt, delay) => {
      if (!options.quiet) io.stderr(`mcc: retrying ${what} (attempt ${attempt + 1}, in ${delay} ms)\n`);
    },
  });
}

/** A repository opened for use: its client and the repository path. */
export interface OpenRepository {
  readonly client: RegistryClient;
  readonly repo: string;
}

/**
 * Opens the repository a reference names (`HOST/REPO`, for the shared build cache). A tag or
 * digest there is a mistake said plainly, not ignored.
 */
export async function openRepository(text: string, flags: RegistryFlags, io: CliIo, what: string): Promise<OpenRepository> {
  let ref;
  try {
    ref = parseReference(text);
  } catch (error) {
    if (error instanceof ReferenceError) throw new RegistryError(`${what}: ${error.message}`, "usage", "write HOST/REPOSITORY, e.g. 127.0.0.1:5000/team/mcc-cache");
    throw error;
  }
  if (/[:@]/.test(text.slice(text.indexOf("/") + 1))) {
    throw new RegistryError(`${what} names a repository, not an image: drop the tag or digest from ${text}`, "usage", "entries are tagged by step id inside the repository");
  }
  return { client: await connect(ref, flags, io), repo: ref.repository };
}
