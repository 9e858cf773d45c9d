import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SourceError } from "../host/errors.js";

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
export async function httpGet(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  if (url.startsWith("file:")) return fileGet(url, options);
  const retries = options.retries ?? 3;
  let lastError = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(250 * 2 ** attempt);
    let response: Response;
    try {
      const headers: Record<string, string> = { "user-agent": "mcc" };
      if (options.etag !== undefined) headers["if-none-match"] = options.etag;
      if (options.lastModified !== undefined) headers["if-modified-since"] = options.lastModified;
      response = await fetch(url, { headers, redirect: "follow", signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      lastError = describeNetworkError(error);
      continue;
    }
    if (response.status === 304) return { status: 304 };
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return { status: 404 };
    }
    if (TRANSIENT.has(response.status)) {
      await response.body?.cancel();
      lastError = `HTTP ${response.status} ${response.statusText}`;
      continue;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new SourceError(`GET ${url} failed: HTTP ${response.status} ${response.statusText}`);
    }
    const length = Number(response.headers.get("content-length") ?? NaN);
    const etag = response.headers.get("etag") ?? undefined;
    const lastModified = response.headers.get("last-modified") ?? undefined;
    return {
      status: 200,
      body: response.body as unknown as AsyncIterable<Uint8Array>,
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
async function fileGet(url: string, options: HttpOptions): Promise<HttpResult> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    throw new SourceError(`${url} is not a usable file URL: ${error instanceof Error ? error.message : String(error)}`, "write a local mirror as file:///absolute/path");
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: 404 };
    throw new SourceError(`cannot read ${path}: ${code ?? String(error)}`);
  }
  if (!info.isFile()) return { status: 404 };
  const etag = `"${info.size}-${Math.trunc(info.mtimeMs)}"`;
  const lastModified = info.mtime.toUTCString();
  if (options.etag === etag) return { status: 304 };
  return { status: 200, body: createReadStream(path), etag, lastModified, length: info.size };
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
