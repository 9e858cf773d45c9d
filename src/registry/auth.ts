import { chooseChallenge, parseChallenges, type Challenge } from "./challenge.js";
import type { Credentials } from "./credentials.js";
import { errorForStatus, RegistryError } from "./errors.js";
import { readBody, type Transport } from "./transport.js";

/** Answers a registry's `WWW-Authenticate` challenges: Basic, or Bearer tokens per scope. */
export interface Authenticator {
  /** The Authorization header for a request needing these scopes, once a challenge is known. */
  header(scopes: readonly string[]): Promise<string | undefined>;
  /** Learns from a 401: the scheme and, for Bearer, forgets the token that was refused. */
  challenged(header: string | string[] | undefined, scopes: readonly string[]): Promise<void>;
}

/** What the authenticator needs to know. */
export interface AuthenticatorOptions {
  readonly host: string;
  readonly transport: Transport;
  readonly credentials?: Credentials;
  /** Where the credentials came from, or why there are none (for messages). */
  readonly credentialsNote: string;
  /** A credential source that names the host but cannot be used (a credential helper). */
  readonly credentialsProblem?: string;
  /** The clock, for token expiry (tests may pass their own). */
  readonly now?: () => number;
}

interface CachedToken {
  readonly value: string;
  readonly expires: number;
}

/** A token being fetched or fetched: requests sent at once share one token request. */
type TokenEntry = Promise<CachedToken>;

/** `repository:NAME:pull` or `repository:NAME:pull,push`: the scopes of a repository operation. */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}

/**
 * Creates an authenticator. Bearer tokens are fetched from the challenge's realm with its
 * `service` and the scopes asked for (plus the challenge's own `scope`), with Basic
 * credentials when there are any, and cached per set of scopes until they expire.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  let challenge: Challenge | undefined;
  const tokens = new Map<string, TokenEntry>();
  const extraScopes = new Set<string>();
  const now = options.now ?? Date.now;
  const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

  const fetchToken = async (scopes: readonly string[]): Promise<CachedToken> => {
    const params = challenge?.params ?? {};
    const realm = params["realm"];
    if (realm === undefined || realm === "") throw new RegistryError(`${options.host} asked for a Bearer token but named no realm to get it from`, "protocol");
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${options.host} named a token realm that is not a URL: ${realm}`, "protocol");
    }
    if (params["service"] !== undefined) url.searchParams.set("service", params["service"]);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.credentials !== undefined) headers["authorization"] = basic(options.credentials);
    const res = await options.transport.request({ method: "GET", url, headers });
    const body = await readBody(res, 1 << 20);
    const note = options.credentialsProblem ?? options.credentialsNote;
    if (res.status !== 200) throw errorForStatus(res.status === 403 ? 401 : res.status, body, { host: options.host, operation: "token", credentialsNote: note }, "GET", `${url.origin}${url.pathname}`);
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body.toString("utf8")) as typeof parsed;
    } catch {
      throw new RegistryError(`the token server ${url.host} answered something that is not JSON`, "protocol");
    }
    const value = typeof parsed.token === "string" ? parsed.token : typeof parsed.access_token === "string" ? parsed.access_token : undefined;
    if (value === undefined || value === "") throw new RegistryError(`the token server ${url.host} answered without a token`, "protocol");
    // Tokens are used until 30 s before they expire; the spec's default lifetime is 60 s.
    const lifetime = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { value, expires: now() + Math.max(lifetime - 30, 5) * 1000 };
  };

  const scopesFor = (scopes: readonly string[]) => [...new Set([...scopes, ...extraScopes])].sort();

  return {
    async header(scopes) {
      if (challenge === undefined) return undefined;
      if (challenge.scheme === "basic") return options.credentials === undefined ? undefined : basic(options.credentials);
      const wanted = scopesFor(scopes);
      const key = wanted.join(" ");
      let entry = tokens.get(key);
      if (entry !== undefined) {
        const cached = await entry.catch(() => undefined);
        if (cached === undefined || cached.expires <= now()) {
          if (tokens.get(key) === entry) tokens.delete(key);
          entry = undefined;
        }
      }
      if (entry === undefined) {
        entry = fetchToken(wanted);
        tokens.set(key, entry);
        // A failed fetch is not cached: the next request asks again.
        entry.catch(() => (tokens.get(key) === entry ? tokens.delete(key) : undefined));
      }
      return `Bearer ${(await entry).value}`;
    },
    async challenged(header, scopes) {
      const text = Array.isArray(header) ? header.join(", ") : (header ?? "");
      const chosen = chooseChallenge(parseChallenges(text));
      if (chosen === undefined) {
        throw new RegistryError(`${options.host} refused the request (401) without a Basic or Bearer challenge${text ? `: ${text}` : ""}`, "auth");
      }
      if (chosen.scheme === "basic" && options.credentials === undefined) {
        const why = options.credentialsProblem ?? `no credentials: ${options.credentialsNote}`;
        throw new RegistryError(`authentication failed for ${options.host} (check credentials: the registry asks for a user name and password, ${why})`, "auth", "set MCC_REGISTRY_USERNAME and MCC_REGISTRY_PASSWORD, or add an `auths` entry for the host to the docker config file");
      }
      challenge = chosen;
      // A challenge's scope names what the registry wants for this request (for example
      // another repository's pull for a mount): asked for from now on.
      for (const s of (chosen.params["scope"] ?? "").split(" ")) if (s !== "" && !scopes.includes(s)) extraScopes.add(s);
      tokens.delete(scopesFor(scopes).join(" "));
    },
  };
}
