/**
 * What went wrong talking to a registry, as data the CLI maps to a message, a hint and an
 * exit code: `auth` and `not-found` are the user's to fix (credentials, the reference),
 * `insecure` is a refused command line, the rest are the world failing.
 */
export type RegistryErrorKind = "usage" | "auth" | "not-found" | "rejected" | "insecure" | "tls" | "network" | "protocol" | "integrity" | "credentials" | "layout";

/** A failure talking to a registry or reading what to push; `codes` are the registry's error codes. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: RegistryErrorKind,
    readonly hint?: string,
    readonly codes: readonly string[] = [],
    readonly status?: number,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

/** One entry of the distribution spec's error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message?: string;
  readonly detail?: unknown;
}

/** The error entries of a response body, or none when it is not the spec's error JSON. */
export function parseErrorBody(body: Buffer): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.filter((e): e is RegistryErrorEntry => typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string");
  } catch {
    return [];
  }
}

/** The entries in one line: `CODE: message (detail)`, joined by `; `. */
export function describeEntries(entries: readonly RegistryErrorEntry[]): string {
  return entries
    .map((e) => {
      const detail = e.detail === undefined || e.detail === null ? "" : typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail);
      return `${e.code}${e.message ? `: ${e.message}` : ""}${detail && detail !== "{}" ? ` (${detail.slice(0, 300)})` : ""}`;
    })
    .join("; ");
}

/** What the client was doing when a request failed: decides the words of the error. */
export interface FailureContext {
  readonly host: string;
  readonly repository?: string;
  /** `manifest-get`, `manifest-put`, `blob-get`, ...: the operation. */
  readonly operation: "ping" | "manifest-get" | "manifest-put" | "blob-head" | "blob-get" | "blob-upload" | "referrers" | "token";
  /** The tag or digest asked for, for messages. */
  readonly target?: string;
  /** Where credentials came from, or why there are none, for the auth message. */
  readonly credentialsNote?: string;
}

const AUTH_CODES = new Set(["UNAUTHORIZED", "DENIED"]);
const REJECTED_MANIFEST = new Set(["MANIFEST_INVALID", "BLOB_UNKNOWN", "MANIFEST_BLOB_UNKNOWN", "DIGEST_INVALID", "SIZE_INVALID", "NAME_INVALID", "TAG_INVALID", "MANIFEST_UNVERIFIED", "UNSUPPORTED"]);

/** The error for a failed response: the registry's codes turned into a sentence and a hint. */
export function errorForStatus(status: number, body: Buffer, context: FailureContext, method: string, path: string): RegistryError {
  const entries = parseErrorBody(body);
  const codes = entries.map((e) => e.code);
  const said = entries.length > 0 ? describeEntries(entries) : body.toString("utf8").trim().slice(0, 200);
  const repo = context.repository === undefined ? context.host : `${context.host}/${context.repository}`;
  if (status === 401 || codes.includes("UNAUTHORIZED")) {
    return new RegistryError(`authentication failed for ${context.host} (check credentials${context.credentialsNote ? `: ${context.credentialsNote}` : ""})`, "auth", "set MCC_REGISTRY_USERNAME and MCC_REGISTRY_PASSWORD, or log in so that the docker config file has an `auths` entry for the host", codes, status);
  }
  if (status === 403 || codes.some((c) => AUTH_CODES.has(c))) {
    return new RegistryError(`access to ${repo} denied by ${context.host}${said ? `: ${said}` : ""}`, "auth", "the credentials are valid but lack the permission (pull or push) for this repository", codes, status);
  }
  if (codes.includes("NAME_UNKNOWN")) {
    return new RegistryError(`unknown repository ${repo}`, "not-found", "check the repository part of the reference", codes, status);
  }
  if (context.operation === "manifest-put" && (status === 400 || codes.some((c) => REJECTED_MANIFEST.has(c)))) {
    return new RegistryError(`the registry rejected the manifest${context.target ? ` ${context.target}` : ""} for ${repo}: ${said || `HTTP ${status}`}`, "rejected", undefined, codes, status);
  }
  if (context.operation === "manifest-get" && (status === 404 || codes.includes("MANIFEST_UNKNOWN"))) {
    return new RegistryError(`${repo}:${context.target ?? ""} not found: no such tag or digest in the repository`.replace(/:sha256:/, "@sha256:"), "not-found", "check the tag (the registry lists them at /v2/REPOSITORY/tags/list)", codes, status);
  }
  if ((context.operation === "blob-get" || context.operation === "blob-head") && status === 404) {
    return new RegistryError(`blob ${context.target ?? ""} not found in ${repo}`, "not-found", undefined, codes, status);
  }
  return new RegistryError(`${method} ${path} on ${context.host} failed: HTTP ${status}${said ? `: ${said}` : ""}`, "protocol", undefined, codes, status);
}
