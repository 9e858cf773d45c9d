import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { rootCertificates } from "node:tls";
import { Readable } from "node:stream";
import { RegistryError } from "./errors.js";
import { isLoopback } from "./reference.js";

/** A request body: bytes, or a function that opens a fresh stream (so a retry can send it again). */
export type RequestBody = Buffer | (() => AsyncIterable<Uint8Array>);

/** One HTTP request. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** The body's length, required for a stream body (registries want Content-Length). */
  readonly bodyLength?: number;
}

/** A response; the caller must read or drain `body`. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

/** How the transport connects and retries. */
export interface TransportOptions {
  /** Plain http is allowed (for loopback hosts only; any other http URL is refused). */
  readonly insecure?: boolean;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  readonly ca?: readonly string[];
  /** Retries of a transient failure (default 4). */
  readonly retries?: number;
  /** The first backoff delay in ms, doubled each retry (default 250). */
  readonly retryDelayMs?: number;
  /** Idle socket timeout in ms (default 60 s). */
  readonly timeoutMs?: number;
  /** Called before each retry, for progress output. */
  readonly onRetry?: (what: string, attempt: number, delayMs: number) => void;
}

/** Sends HTTP requests with connection reuse and retries on transient failures. */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

/** Statuses worth retrying: rate limiting and a gateway or server that is briefly away. Never other 4xx. */
export const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);
const TLS_CODES = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE"]);

/**
 * Refuses plain http unless --insecure was given, and then allows it only to loopback
 * hosts: credentials and images must not cross a network in the clear.
 */
export function checkScheme(url: URL, insecure: boolean): void {
  if (url.protocol === "https:") return;
  if (url.protocol !== "http:") throw new RegistryError(`${url.protocol} URLs are not supported (${url.host})`, "protocol");
  if (!insecure) throw new RegistryError(`refusing plain http to ${url.host} without --insecure`, "insecure", "use https, or --insecure for a registry on this machine's loopback");
  if (!isLoopback(url.host)) {
    throw new RegistryError(`refusing plain http to ${url.host}: --insecure is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)`, "insecure", "serve the registry over https and pass its CA with --ca-file");
  }
}

/** Creates a transport. Nothing connects until a request is made. */
export function createTransport(options: TransportOptions = {}): Transport {
  const ca = options.ca !== undefined && options.ca.length > 0 ? [...rootCertificates, ...options.ca] : undefined;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(ca === undefined ? {} : { ca }) });
  const retries = options.retries ?? 4;
  const baseDelay = options.retryDelayMs ?? 250;
  const timeout = options.timeoutMs ?? 60_000;

  const once = (req: HttpRequest): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const secure = req.url.protocol === "https:";
      const headers: Record<string, string> = { "user-agent": "mcc", ...req.headers };
      if (req.body !== undefined) headers["content-length"] = String(Buffer.isBuffer(req.body) ? req.body.length : (req.bodyLength ?? 0));
      else if (req.method === "PUT" || req.method === "POST" || req.method === "PATCH") headers["content-length"] = "0";
      const outgoing = (secure ? https : http).request(req.url, { method: req.method, headers, agent: secure ? httpsAgent : httpAgent });
      outgoing.setTimeout(timeout, () => outgoing.destroy(Object.assign(new Error(`no answer in ${timeout / 1000} s`), { code: "ETIMEDOUT" })));
      outgoing.on("error", reject);
      outgoing.on("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      if (req.body === undefined) outgoing.end();
      else if (Buffer.isBuffer(req.body)) outgoing.end(req.body);
      else {
        const source = Readable.from(req.body());
        source.on("error", (error) => outgoing.destroy(error));
        source.pipe(outgoing);
      }
    });

  return {
    async request(req) {
      checkScheme(req.url, options.insecure === true);
      for (let attempt = 0; ; attempt++) {
        let response: HttpResponse;
        try {
          response = await once(req);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? "";
          const message = (error as Error).message;
          if (TLS_CODES.has(code)) {
            throw new RegistryError(`TLS verification of ${req.url.host} failed: ${message} (${code})`, "tls", "pass the registry's CA certificate with --ca-file PATH (or SSL_CERT_FILE)");
          }
          if (code === "EPROTO" && /wrong version number|packet length too long/i.test(message)) {
            throw new RegistryError(`${req.url.host} did not answer TLS (it may speak plain http)`, "tls", "for a registry on this machine's loopback serving plain http, add --insecure");
          }
          // A failure of our own (the body's source could not be read) is not the network's.
          if (code === "" || (error instanceof RegistryError)) throw error;
          if (!TRANSIENT_CODES.has(code) || attempt >= retries) {
            throw new RegistryError(`${req.method} ${req.url.host}${req.url.pathname} failed${attempt > 0 ? ` after ${attempt + 1} attempts` : ""}: ${code || message}`, "network", "check that the registry is up and reachable");
          }
          await backoff(attempt, undefined, `${req.method} ${req.url.pathname}: ${code}`);
          continue;
        }
        if (!TRANSIENT_STATUS.has(response.status) || attempt >= retries) return response;
        response.body.resume();
        await backoff(attempt, response.headers["retry-after"], `${req.method} ${req.url.pathname}: HTTP ${response.status}`);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };

  async function backoff(attempt: number, retryAfter: string | undefined, what: string): Promise<void> {
    const asked = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    const delay = Math.min(Math.max(baseDelay * 2 ** attempt, asked), 10_000);
    options.onRetry?.(what, attempt + 1, delay);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Reads a whole (small) body; refuses more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw new RegistryError(`a response of more than ${limit} bytes where a small document was expected`, "protocol");
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
