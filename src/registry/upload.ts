import { RegistryError, type FailureContext } from "./errors.js";
import type { HttpResponse, RequestBody } from "./transport.js";

/** How a blob reached the registry. */
export type UploadResult = "mounted" | "uploaded" | "chunked";

/** What the upload needs from the client: authenticated calls and error mapping. */
export interface UploadSession {
  readonly call: (method: string, target: string | URL, scopes: readonly string[], headers?: Record<string, string>, body?: RequestBody, bodyLength?: number) => Promise<HttpResponse>;
  readonly fail: (res: HttpResponse, context: Omit<FailureContext, "host" | "credentialsNote">, method: string, path: string) => Promise<RegistryError>;
  readonly base: string;
  readonly chunkSize: number;
  readonly scopes: readonly string[];
}

/** The upload URL a response's Location names, resolved against the registry. */
function locationOf(res: HttpResponse, base: string, what: string): URL {
  const location = res.headers.location;
  if (typeof location !== "string" || location === "") throw new RegistryError(`the registry answered ${what} without a Location`, "protocol");
  return new URL(location, base);
}

/** The upload URL with `digest=` added, keeping the registry's own query (its state) as sent. */
function withDigest(url: URL, digest: string): URL {
  return new URL(`${url.href}${url.search === "" ? "?" : "&"}digest=${encodeURIComponent(digest)}`);
}

/**
 * Uploads one blob: POST to open an upload (or mount it from `mountFrom`: a 201 means done,
 * a 202 opens an upload to use instead), then either one PUT with the content and
 * `?digest=` (monolithic), or, above the chunk size, PATCHes with `Content-Range` and a
 * closing PUT. A failed upload is started again once, with a fresh session, since the
 * registry's state after a broken PATCH is unknown.
 */
export async function uploadBlob(session: UploadSession, repo: string, content: Buffer | (() => AsyncIterable<Uint8Array>), expected: { digest: string; size: number }, mountFrom?: string): Promise<UploadResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploadOnce(session, repo, content, expected, mountFrom);
    } catch (error) {
      const retryable = error instanceof RegistryError && (error.kind === "network" || error.status === 416 || error.codes.includes("BLOB_UPLOAD_UNKNOWN") || error.codes.includes("BLOB_UPLOAD_INVALID"));
      if (!retryable || attempt >= 1) throw error;
    }
  }
}

async function uploadOnce(session: UploadSession, repo: string, content: Buffer | (() => AsyncIterable<Uint8Array>), expected: { digest: string; size: number }, mountFrom?: string): Promise<UploadResult> {
  const start = `/v2/${repo}/blobs/uploads/${mountFrom === undefined ? "" : `?mount=${encodeURIComponent(expected.digest)}&from=${encodeURIComponent(mountFrom)}`}`;
  const opened = await session.call("POST", start, session.scopes);
  if (opened.status === 201 && mountFrom !== undefined) {
    opened.body.resume();
    return "mounted";
  }
  if (opened.status !== 202) throw await session.fail(opened, { repository: repo, operation: "blob-upload", target: expected.digest }, "POST", start);
  opened.body.resume();
  let url = locationOf(opened, session.base, "POST blobs/uploads");
  const context = { repository: repo, operation: "blob-upload" as const, target: expected.digest };
  const octets = { "content-type": "application/octet-stream" };

  if (expected.size <= session.chunkSize) {
    const put = withDigest(url, expected.digest);
    const res = await session.call("PUT", put, session.scopes, octets, content, expected.size);
    if (res.status !== 201) throw await session.fail(res, context, "PUT", url.pathname);
    res.body.resume();
    return "uploaded";
  }

  let offset = 0;
  for await (const chunk of chunksOf(typeof content === "function" ? content() : [content], session.chunkSize)) {
    const range = `${offset}-${offset + chunk.length - 1}`;
    const res = await session.call("PATCH", url, session.scopes, { ...octets, "content-range": range }, chunk);
    if (res.status !== 202) throw await session.fail(res, context, "PATCH", url.pathname);
    res.body.resume();
    offset += chunk.length;
    url = locationOf(res, session.base, "PATCH");
  }
  if (offset !== expected.size) throw new RegistryError(`blob ${expected.digest} has ${offset} bytes, not the ${expected.size} its descriptor says`, "integrity");
  const res = await session.call("PUT", withDigest(url, expected.digest), session.scopes, octets);
  if (res.status !== 201) throw await session.fail(res, context, "PUT", url.pathname);
  res.body.resume();
  return "chunked";
}

/** Re-cuts a byte stream into chunks of exactly `size` bytes (the last may be shorter). */
async function* chunksOf(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let data = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + data.length >= size) {
      const take = size - pendingBytes;
      pending.push(data.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      data = data.subarray(take);
    }
    if (data.length > 0) {
      pending.push(Buffer.from(data));
      pendingBytes += data.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}
