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

function describeNetworkError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
