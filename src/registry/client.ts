import { readFileSync } from "node:fs";
import { pipeline } from "node:stream";
import type { Readable } from "node:stream";
import { createAuthenticator, repositoryScope } from "./auth.js";
import type { Credentials } from "./credentials.js";
import { sha256Digest, verifyingStream } from "./digest-stream.js";
import { errorForStatus, RegistryError, type FailureContext } from "./errors.js";
import { MANIFEST_ACCEPT, MEDIA, manifestMediaType, type Descriptor, type ManifestDocument } from "../formats/oci-media-types.js";
import { apiHost, isLoopback } from "./reference.js";
import { createTransport, readBody, type HttpResponse, type RequestBody, type Transport } from "./transport.js";
import { uploadBlob, type UploadResult } from "./upload.js";

/** How to reach one registry. */
export interface RegistryClientOptions {
  /** The registry host as in references (`127.0.0.1:5000`, `registry.example`). */
  readonly host: string;
  /** Plain http; allowed only for loopback hosts (anything else is refused). */
  readonly insecure?: boolean;
  /** A PEM file of CA certificates to trust besides Node's bundled roots. */
  readonly caFile?: string;
  /** PEM text of CA certificates to trust (besides caFile). */
  readonly ca?: readonly string[];
  readonly credentials?: Credentials;
  /** Where the credentials came from, or why there are none: used in authentication errors. */
  readonly credentialsNote?: string;
  /** A source that names the host but cannot be used (a credential helper): said on 401. */
  readonly credentialsProblem?: string;
  /** Blobs larger than this are uploaded in PATCH chunks of this size (default 16 MiB). */
  readonly chunkSize?: number;
  /** Retries of a transient failure (default 4) and the first backoff delay (default 250 ms). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Told about each retry (what, attempt, delay). */
  readonly onRetry?: (what: string, attempt: number, delayMs: number) => void;
}

/** A manifest or index as fetched: its exact bytes, media type and digest (verified). */
export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

/** Blob content to upload: bytes, or a function opening a fresh stream (called again on retry). */
export type BlobContent = Buffer | (() => AsyncIterable<Uint8Array>);

/** The referrers of a manifest, when the registry has the OCI 1.1 referrers API. */
export interface Referrers {
  readonly supported: boolean;
  readonly manifests: readonly Descriptor[];
}

/** A client of one registry (OCI distribution spec v2 API). */
export interface RegistryClient {
  readonly host: string;
  /** Whether the repository has the blob (HEAD). */
  hasBlob(repo: string, digest: string): Promise<boolean>;
  /** The blob as a stream that fails at its end unless digest and size match. */
  getBlob(repo: string, digest: string, size?: number): Promise<Readable>;
  /** Uploads a blob (monolithic, or chunked above chunkSize); with mountFrom, tries a mount first. */
  putBlob(repo: string, content: BlobContent, expected: { digest: string; size: number }, options?: { mountFrom?: string }): Promise<UploadResult>;
  /** Mounts a blob from another repository of this registry; false when the registry would not. */
  mountBlob(repo: string, from: string, digest: string): Promise<boolean>;
  /** A manifest or index by tag or digest. */
  getManifest(repo: string, ref: string, accept?: readonly string[]): Promise<FetchedManifest>;
  /** Puts a manifest or index under a tag or its digest; returns its digest. */
  putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<string>;
  /** The referrers API (`GET /v2/<repo>/referrers/<digest>`); `supported` false when absent. */
  getReferrers(repo: string, digest: string): Promise<Referrers>;
  /** Closes kept-alive connections. */
  close(): void;
}

/** Creates a client; nothing connects until the first call. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const host = options.host;
  const insecure = options.insecure === true;
  if (insecure && !isLoopback(host)) {
    throw new RegistryError(`refusing plain http to ${host}: --insecure is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)`, "insecure", "serve the registry over https and pass its CA with --ca-file");
  }
  const ca = [...(options.ca ?? [])];
  if (options.caFile !== undefined) {
    try {
      ca.push(readFileSync(options.caFile, "utf8"));
    } catch (error) {
      throw new RegistryError(`cannot read the CA file ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, "tls");
    }
  }
  const transport: Transport = createTransport({
    insecure,
    ca,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
  });
  const base = `${insecure ? "http" : "https"}://${apiHost(host)}`;
  const credentialsNote = options.credentialsNote ?? (options.credentials === undefined ? "none given" : "given");
  const auth = createAuthenticator({
    host,
    transport,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    credentialsNote,
    ...(options.credentialsProblem === undefined ? {} : { credentialsProblem: options.credentialsProblem }),
  });
  let pinged: Promise<void> | undefined;

  // The API base answers 200, or 401 with the challenge to meet before anything else.
  const ping = () =>
    (pinged ??= (async () => {
      const res = await transport.request({ method: "GET", url: new URL(`${base}/v2/`) });
      const body = await readBody(res, 1 << 20);
      if (res.status === 401) await auth.challenged(res.headers["www-authenticate"], []);
      else if (res.status === 404) throw new RegistryError(`${host} is not a container registry (no /v2/ API)`, "protocol");
      else if (res.status !== 200) throw errorForStatus(res.status, body, { host, operation: "ping" }, "GET", "/v2/");
    })().catch((error: unknown) => {
      pinged = undefined;
      throw error;
    }));

  /** An authenticated request; a 401 is answered once (new token or credentials), then returned. */
  const call = async (method: string, target: string | URL, scopes: readonly string[], headers: Record<string, string> = {}, body?: RequestBody, bodyLength?: number): Promise<HttpResponse> => {
    await ping();
    const url = typeof target === "string" ? new URL(target, base) : target;
    for (let attempt = 0; ; attempt++) {
      const authorization = await auth.header(scopes);
      const res = await transport.request({ method, url, headers: { ...headers, ...(authorization === undefined ? {} : { authorization }) }, ...(body === undefined ? {} : { body }), ...(bodyLength === undefined ? {} : { bodyLength }) });
      if (res.status !== 401 || attempt > 0) return res;
      res.body.resume();
      await auth.challenged(res.headers["www-authenticate"], scopes);
    }
  };
  const fail = async (res: HttpResponse, context: Omit<FailureContext, "host" | "credentialsNote">, method: string, path: string) =>
    errorForStatus(res.status, await readBody(res, 1 << 20).catch(() => Buffer.alloc(0)), { host, credentialsNote: options.credentialsProblem ?? credentialsNote, ...context }, method, path);
  const pull = (repo: string) => [repositoryScope(repo, false)];
  const push = (repo: string) => [repositoryScope(repo, true)];

  return {
    host,
    async hasBlob(repo, digest) {
      const path = `/v2/${repo}/blobs/${digest}`;
      const res = await call("HEAD", path, pull(repo));
      res.body.resume();
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      throw await fail(res, { repository: repo, operation: "blob-head", target: digest }, "HEAD", path);
    },
    async getBlob(repo, digest, size) {
      const path = `/v2/${repo}/blobs/${digest}`;
      let res = await call("GET", path, pull(repo));
      let url = new URL(path, base);
      // Registries may redirect blob downloads to their storage; credentials stay with the registry.
      for (let hops = 0; [301, 302, 303, 307, 308].includes(res.status) && hops < 5; hops++) {
        res.body.resume();
        const next = new URL(String(res.headers.location ?? ""), url);
        res = next.origin === url.origin ? await call("GET", next, pull(repo)) : await transport.request({ method: "GET", url: next });
        url = next;
      }
      if (res.status !== 200) throw await fail(res, { repository: repo, operation: "blob-get", target: digest }, "GET", path);
      const verify = verifyingStream(digest, size, `blob ${digest} from ${host}/${repo}`);
      return pipeline(res.body, verify, () => undefined);
    },
    async putBlob(repo, content, expected, opts = {}) {
      return uploadBlob({ call, fail, base, chunkSize: options.chunkSize ?? 16 << 20, scopes: opts.mountFrom === undefined ? push(repo) : [...push(repo), repositoryScope(opts.mountFrom, false)] }, repo, content, expected, opts.mountFrom);
    },
    async mountBlob(repo, from, digest) {
      const path = `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
      const res = await call("POST", path, [...push(repo), repositoryScope(from, false)]);
      res.body.resume();
      if (res.status === 201) return true;
      if (res.status === 202) {
        // The registry opened an upload instead: cancel it (best effort; sessions also expire).
        const location = res.headers.location;
        if (typeof location === "string") (await call("DELETE", new URL(location, base), push(repo)).catch(() => undefined))?.body.resume();
        return false;
      }
      throw await fail(res, { repository: repo, operation: "blob-upload", target: digest }, "POST", path);
    },
    async getManifest(repo, ref, accept = MANIFEST_ACCEPT) {
      const path = `/v2/${repo}/manifests/${ref}`;
      const res = await call("GET", path, pull(repo), { accept: accept.join(", ") });
      if (res.status !== 200) throw await fail(res, { repository: repo, operation: "manifest-get", target: ref }, "GET", path);
      const bytes = await readBody(res, 4 << 20);
      const digest = sha256Digest(bytes);
      const said = res.headers["docker-content-digest"];
      if (ref.startsWith("sha256:") && digest !== ref) throw new RegistryError(`the manifest ${ref} from ${host}/${repo} does not match its digest (got ${digest})`, "integrity");
      if (typeof said === "string" && said.startsWith("sha256:") && said !== digest) throw new RegistryError(`the manifest ${ref} from ${host}/${repo} has digest ${digest}, not the ${said} the registry says`, "integrity");
      let doc: ManifestDocument;
      try {
        doc = JSON.parse(bytes.toString("utf8")) as ManifestDocument;
      } catch {
        throw new RegistryError(`the manifest ${ref} from ${host}/${repo} is not JSON`, "protocol");
      }
      const contentType = String(res.headers["content-type"] ?? "").split(";")[0]?.trim();
      return { bytes, mediaType: manifestMediaType(doc, contentType || undefined), digest };
    },
    async putManifest(repo, ref, bytes, mediaType) {
      const digest = sha256Digest(bytes);
      if (ref.startsWith("sha256:") && ref !== digest) throw new RegistryError(`the manifest's digest is ${digest}, not ${ref}`, "integrity");
      const path = `/v2/${repo}/manifests/${ref}`;
      const res = await call("PUT", path, push(repo), { "content-type": mediaType }, bytes);
      if (res.status !== 201 && res.status !== 200) throw await fail(res, { repository: repo, operation: "manifest-put", target: ref }, "PUT", path);
      res.body.resume();
      const said = res.headers["docker-content-digest"];
      if (typeof said === "string" && said.startsWith("sha256:") && said !== digest) throw new RegistryError(`the registry stored the manifest as ${said}, not ${digest}`, "integrity");
      return digest;
    },
    async getReferrers(repo, digest) {
      const path = `/v2/${repo}/referrers/${digest}`;
      const res = await call("GET", path, pull(repo), { accept: MEDIA.ociIndex });
      if (res.status === 404 || res.status === 405 || res.status === 400) {
        res.body.resume();
        return { supported: false, manifests: [] };
      }
      if (res.status !== 200) throw await fail(res, { repository: repo, operation: "referrers", target: digest }, "GET", path);
      const body = await readBody(res, 4 << 20);
      try {
        const doc = JSON.parse(body.toString("utf8")) as ManifestDocument;
        return { supported: Array.isArray(doc.manifests), manifests: doc.manifests ?? [] };
      } catch {
        return { supported: false, manifests: [] };
      }
    },
    close() {
      transport.close();
    },
  };
}
