import { fileURLToPath } from "node:url";
import { SourceError } from "../host/errors.js";
import type { Host, HttpResponse } from "../host/host.js";

export interface HttpResult {
  /** 200 with a body, 304 (not modified, no body) or 404 (absent). */
  readonly status: 200 | 304 | 404;
  readonly body?: AsyncIterable<Uint8Array>;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly length?: number;
}

export interface HttpOptions {
  readonly etag?: string;
  readonly lastModified?: string;
  /** How many times a transient failure is retried (default 3). */
  readonly retries?: number;
}

const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * GET with retries and exponential backoff on transient failures (network errors, 5xx, 429),
 * conditional when a validator is known. A 404 is an answer, not a failure: suites such as
 * `-updates` may legitimately be absent. Anything else is a SourceError naming the URL.
 */
export async function httpGet(host: Host, url: string, options: HttpOptions = {}): Promise<HttpResult> {
  if (url.startsWith("file:")) return fileGet(host, url, options);
  const retries = options.retries ?? 3;
  let lastError = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(250 * 2 ** attempt);
    let response: HttpResponse;
    try {
      const headers: Record<string, string> = { "user-agent": "mcc" };
      if (options.etag !== undefined) headers["if-none-match"] = options.etag;
      if (options.lastModified !== undefined) headers["if-modified-since"] = options.lastModified;
      response = await host.httpGet(url, headers, 120_000);
    } catch (error) {
      lastError = describeNetworkError(error);
      continue;
    }
    if (response.status === 304) return { status: 304 };
    if (response.status === 404 || response.status === 410) {
      await response.discard();
      return { status: 404 };
    }
    if (TRANSIENT.has(response.status)) {
      await response.discard();
      lastError = `HTTP ${response.status} ${response.statusText}`;
      continue;
    }
    if (response.status < 200 || response.status > 299 || response.body === undefined) {
      await response.discard();
      throw new SourceError(`GET ${url} failed: HTTP ${response.status} ${response.statusText}`);
    }
    const length = Number(response.header("content-length") ?? NaN);
    const etag = response.header("etag");
    const lastModified = response.header("last-modified");
    return {
      status: 200,
      body: response.body,
      ...(etag === undefined ? {} : { etag }),
      ...(lastModified === undefined ? {} : { lastModified }),
      ...(Number.isFinite(length) ? { length } : {}),
    };
  }
  throw new SourceError(`GET ${url} failed after ${retries + 1} attempts: ${lastError}`, "the mirror may be down or unreachable; check from.mirror or try again later");
}

/**
 * A `file:` URL (a local mirror, a CI cache of one): the file's bytes as a body, absent as 404,
 * and its size and modification time as the validators, so a cached index is not read again;
 * the signatures and hashes that follow are the same as for any mirror.
 */
async function fileGet(host: Host, url: string, options: HttpOptions): Promise<HttpResult> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new SourceError(`${url} is not a usable file URL: ${error instanceof Error ? error.message : String(error)}`, "write a local mirror as file:///absolute/path");
  }
  let info: Awaited<ReturnType<Host["stat"]>>;
  try {
    info = await host.stat(path);
  } catch (error) {
    throw new SourceError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (info?.kind !== "file") return { status: 404 };
  const etag = `"${info.size}-${Math.trunc(info.modified)}"`;
  const lastModified = new Date(info.modified).toUTCString();
  if (options.etag === etag) return { status: 304 };
  return { status: 200, body: host.readStream(path), etag, lastModified, length: info.size };
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; errors?: { code?: string }[]; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  // Node's code (ECONNREFUSED, ENOTFOUND), also of a connection tried on several addresses.
  return e.code ?? e.errors?.find((inner) => inner.code !== undefined)?.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
