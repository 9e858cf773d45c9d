/**
 * Image references as users write them (`127.0.0.1:5000/team/curl:1.0`,
 * `registry.example/app@sha256:...`, `curl`), parsed by Docker's rules: the first path
 * component is a host when it has a dot or a port or is `localhost` (or an IPv6 literal in
 * brackets); otherwise the image is on Docker Hub. The tag defaults to `latest` unless a
 * digest is given. Pure: no I/O.
 */

/** A parsed image reference. */
export interface ImageReference {
  /** The registry as written, with its port (`127.0.0.1:5000`, `[::1]:5000`, `registry.example`). */
  readonly host: string;
  /** The repository path (`team/curl`; `library/curl` on Docker Hub for one-component names). */
  readonly repository: string;
  /** The tag, when given, or `latest` when neither a tag nor a digest is given. */
  readonly tag?: string;
  /** `sha256:<64 hex>`, when given. */
  readonly digest?: string;
}

/** A reference that cannot be parsed: the message says what is wrong. */
export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReferenceError";
  }
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;

/** Parses a reference; throws ReferenceError with the reason when it is malformed. */
export function parseReference(text: string): ImageReference {
  if (text.trim() !== text || text === "") throw new ReferenceError(`"${text}" is not an image reference (expected HOST/REPOSITORY[:TAG][@sha256:DIGEST])`);
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ReferenceError(`"${digest}" in "${text}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  }
  // mcc has no default registry: a name without a host is refused, not sent to a public one.
  const slash = rest.indexOf("/");
  const host = slash < 0 ? "" : rest.slice(0, slash);
  if (slash < 0 || !(host.includes(".") || host.includes(":") || host === "localhost" || host.startsWith("["))) {
    throw new ReferenceError(`"${text}" names no registry: mcc has no default one (expected HOST/REPOSITORY[:TAG], the host with a dot or a port, or localhost)`);
  }
  rest = rest.slice(slash + 1);
  if (!HOST.test(host)) throw new ReferenceError(`"${host}" in "${text}" is not a registry host (HOST or HOST:PORT)`);
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ReferenceError(`"${tag}" in "${text}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (rest === "") throw new ReferenceError(`"${text}" names no repository`);
  for (const component of rest.split("/")) {
    if (!COMPONENT.test(component)) {
      throw new ReferenceError(`"${rest}" in "${text}" is not a valid repository name (lowercase letters and digits, separated by . _ __ or -, components joined by /)`);
    }
  }
  if (rest.length > 255) throw new ReferenceError(`the repository name in "${text}" is longer than 255 characters`);
  const repository = rest;
  if (tag === undefined && digest === undefined) tag = "latest";
  return { host, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The reference written back in full (`host/repo:tag@digest`). */
export function formatReference(ref: ImageReference): string {
  return `${ref.host}/${ref.repository}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/** The host to talk to for a reference's registry: the one written. */
export function apiHost(host: string): string {
  return host;
}

/** The host name without port or brackets (`127.0.0.1`, `::1`, `localhost`). */
export function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * Whether a host is this machine's loopback (`localhost`, 127.0.0.0/8, `::1`): the only hosts
 * mcc talks plain http to, and then only with --insecure.
 */
export function isLoopback(host: string): boolean {
  const name = hostName(host).toLowerCase();
  return name === "localhost" || name === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
