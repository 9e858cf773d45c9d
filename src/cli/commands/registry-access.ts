import { createRegistryClient, type RegistryClient } from "../../registry/client.js";
import { lookupCredentials } from "../../registry/credentials.js";
import { parseReference, ReferenceError } from "../../registry/reference.js";
import { RegistryError } from "../../registry/errors.js";

/** The command-line options every command that talks to a registry takes. */
export interface RegistryFlags {
  /** Plain http, for a registry on loopback only. */
  readonly insecure?: boolean;
  /** A PEM file of CA certificates to trust for the registry's TLS certificate. */
  readonly caFile?: string;
}

/** A repository opened for use: its client and the repository path. */
export interface OpenRepository {
  readonly client: RegistryClient;
  readonly repo: string;
  /** `host/repo`, for messages. */
  readonly name: string;
}

/**
 * Opens the repository a reference names, with the credentials the docker config file or
 * the environment give for its host. A tag or digest in a repository-only reference is a
 * mistake said plainly, not ignored.
 */
export async function openRepository(text: string, flags: RegistryFlags, env: Readonly<Record<string, string | undefined>>, what: string): Promise<OpenRepository> {
  let ref;
  try {
    ref = parseReference(text);
  } catch (error) {
    if (error instanceof ReferenceError) throw new RegistryError(`${what}: ${error.message}`, "protocol", "write HOST/REPOSITORY, e.g. 127.0.0.1:5000/team/mcc-cache");
    throw error;
  }
  if (/[:@]/.test(text.slice(text.indexOf("/") + 1))) {
    throw new RegistryError(`${what} names a repository, not an image: drop the tag or digest from ${text}`, "protocol", "entries are tagged by step id inside the repository");
  }
  const found = await lookupCredentials(ref.host, env);
  const client = createRegistryClient({
    host: ref.host,
    ...(flags.insecure === true ? { insecure: true } : {}),
    ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
    ...(found.credentials === undefined ? {} : { credentials: found.credentials }),
    credentialsNote: found.note,
    ...(found.problem === undefined ? {} : { credentialsProblem: found.problem }),
  });
  return { client, repo: ref.repository, name: `${ref.host}/${ref.repository}` };
}
