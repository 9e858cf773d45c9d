import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** A user name and password (or token) for a registry. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * What the credential lookup found for a host: credentials and where from, or nothing and
 * why (no entry, or an entry mcc cannot use, such as a credential helper), for messages.
 */
export interface CredentialLookup {
  readonly credentials?: Credentials;
  /** Where the credentials came from, or which sources were looked at. */
  readonly note: string;
  /** Set when a source names the host but mcc cannot use it (a credential helper). */
  readonly problem?: string;
}

/** The environment variables that give credentials for every registry mcc talks to. */
export const ENV_USERNAME = "MCC_REGISTRY_USERNAME";
export const ENV_PASSWORD = "MCC_REGISTRY_PASSWORD";

interface DockerConfig {
  readonly auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string } | undefined>;
  readonly credHelpers?: Record<string, string>;
  readonly credsStore?: string;
}

/** The docker config file mcc reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dir = env["DOCKER_CONFIG"];
  if (dir !== undefined && dir !== "") return join(dir, "config.json");
  const home = env["HOME"];
  return home === undefined || home === "" ? undefined : join(home, ".docker", "config.json");
}

/** The host part of an `auths` key (`https://host/v1/` -> `host`). */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

/** The names a host may be filed under in a docker config. */
function namesOf(host: string): string[] {
  return [host.toLowerCase()];
}

/**
 * Finds credentials for a host in a parsed docker config: `auths` entries with `auth`
 * (base64 of `user:password`) or `username`/`password`. Credential helpers (`credHelpers`,
 * `credsStore`) are reported as a problem, not run. Pure.
 */
export function credentialsFromDockerConfig(config: DockerConfig, host: string, path: string): CredentialLookup {
  const names = namesOf(host);
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => names.includes(keyHost(k)))?.[1];
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!names.includes(keyHost(key)) || entry === undefined) continue;
    if (typeof entry.auth === "string" && entry.auth !== "") {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return { note: `the auths entry for ${host} in ${path}`, problem: `the auths entry for ${host} in ${path} is not base64 of user:password` };
      return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, note: `from the auths entry for ${host} in ${path}` };
    }
    if (typeof entry.username === "string" && typeof entry.password === "string") {
      return { credentials: { username: entry.username, password: entry.password }, note: `from the auths entry for ${host} in ${path}` };
    }
    if (typeof entry.identitytoken === "string") {
      return { note: `the auths entry for ${host} in ${path}`, problem: `the auths entry for ${host} in ${path} holds an identity token, which mcc does not support; set ${ENV_USERNAME} and ${ENV_PASSWORD}` };
    }
  }
  const store = helper ?? config.credsStore;
  if (store !== undefined && store !== "") {
    return { note: `${path}`, problem: `${path} keeps the credentials for ${host} in the credential helper docker-credential-${store}, which mcc does not run; set ${ENV_USERNAME} and ${ENV_PASSWORD} instead` };
  }
  return { note: `no entry for ${host} in ${path}` };
}

/**
 * Credentials for a host, in order: the environment (`MCC_REGISTRY_USERNAME` and
 * `MCC_REGISTRY_PASSWORD`, both set), then the docker config file. A config file that
 * does not exist is no credentials; one that is not JSON is a problem to report.
 */
export async function lookupCredentials(host: string, env: Readonly<Record<string, string | undefined>>): Promise<CredentialLookup> {
  const user = env[ENV_USERNAME];
  const password = env[ENV_PASSWORD];
  if (user !== undefined && user !== "" && password !== undefined) {
    return { credentials: { username: user, password }, note: `from ${ENV_USERNAME} and ${ENV_PASSWORD}` };
  }
  const path = dockerConfigPath(env);
  if (path === undefined) return { note: `${ENV_USERNAME} is not set and there is no home directory` };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return { note: `${ENV_USERNAME} is not set and ${path} does not exist` };
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch (error) {
    return { note: path, problem: `${path} is not valid JSON: ${(error as Error).message}` };
  }
  return credentialsFromDockerConfig(config, host, path);
}
