// The client's protocol edges against a tiny in-test server on 127.0.0.1 (the real registry
// is in test/integration/registry.test.ts): retries on transient failures and none on 4xx,
// verification of what is fetched, the registry's error codes turned into sentences, and
// the Basic and Bearer challenge flows.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRegistryClient, type RegistryClientOptions } from "../../src/registry/client.js";
import { RegistryError } from "../../src/registry/errors.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let handler: Handler = (_req, res) => res.writeHead(200).end();
const seen: string[] = [];
let server: Server;
let host = "";

test.before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  host = `127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
});
test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (extra: Partial<RegistryClientOptions> = {}) => createRegistryClient({ host, insecure: true, retryDelayMs: 1, ...extra });
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => void res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function rejects(promise: Promise<unknown>, pattern: RegExp, kind?: string): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, RegistryError);
    assert.match((error as Error).message, pattern);
    if (kind !== undefined) assert.is((error as RegistryError).kind, kind);
    return error as RegistryError;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}

test("503, 502 and a reset connection are retried with backoff; the request then succeeds", async () => {
  seen.length = 0;
  let n = 0;
  handler = (req, res) => {
    n++;
    if (n === 1) return void res.writeHead(503).end();
    if (n === 2) return void res.writeHead(502).end();
    if (n === 3) return void req.socket.destroy();
    if (req.method === "HEAD") return void res.writeHead(200).end();
    res.writeHead(200).end();
  };
  const retries: number[] = [];
  const c = client({ onRetry: (_what, attempt) => retries.push(attempt) });
  assert.ok(await c.hasBlob("a/b", sha("x")));
  assert.equal(retries, [1, 2, 3]);
  c.close();
});

test("4xx answers are not retried", async () => {
  seen.length = 0;
  handler = (req, res) => (req.url === "/v2/" ? res.writeHead(200).end() : json(res, 400, { errors: [{ code: "NAME_INVALID", message: "invalid repository name" }] }));
  const c = client();
  await rejects(c.getManifest("a/b", "1"), /HTTP 400: NAME_INVALID: invalid repository name/, "protocol");
  assert.equal(seen, ["GET /v2/", "GET /v2/a/b/manifests/1"]);
  c.close();
});

test("too many transient failures end in a clear network error", async () => {
  handler = (req) => req.socket.destroy();
  const c = client({ retries: 2 });
  await rejects(c.hasBlob("a/b", sha("x")), /failed after 3 attempts: ECONNRESET/, "network");
  c.close();
});

test("the registry's error codes become sentences", async () => {
  const body = Buffer.from('{"schemaVersion":2}');
  handler = (req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end();
    if (req.url?.startsWith("/v2/gone/")) return json(res, 404, { errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }] });
    if (req.method === "PUT") return json(res, 400, { errors: [{ code: "MANIFEST_BLOB_UNKNOWN", message: "blob unknown to registry", detail: "sha256:abc" }] });
    return json(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
  };
  const c = client();
  await rejects(c.getManifest("gone/x", "1"), new RegExp(`unknown repository ${host}/gone/x`), "not-found");
  await rejects(c.getManifest("team/x", "nope"), new RegExp(`${host}/team/x:nope not found: no such tag or digest`), "not-found");
  const rejected = await rejects(c.putManifest("team/x", "1", body, "application/vnd.oci.image.manifest.v1+json"), /the registry rejected the manifest 1 for .*: MANIFEST_BLOB_UNKNOWN: blob unknown to registry \(sha256:abc\)/, "rejected");
  assert.equal(rejected.codes, ["MANIFEST_BLOB_UNKNOWN"]);
  c.close();
});

test("fetched blobs and manifests are verified against their digests", async () => {
  const content = Buffer.from("the real content");
  handler = (req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end();
    if (req.url?.includes("/manifests/")) return void res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end('{"tampered":true}');
    res.writeHead(200).end(Buffer.from("something else!!"));
  };
  const c = client();
  const stream = await c.getBlob("a/b", sha(content), content.length);
  await rejects((async () => { for await (const _ of stream) void _; })(), /does not match its digest/, "integrity");
  const sized = await c.getBlob("a/b", sha(content), 3);
  await rejects((async () => { for await (const _ of sized) void _; })(), /larger than the 3 bytes/, "integrity");
  await rejects(c.getManifest("a/b", sha("{}")), /does not match its digest/, "integrity");
  c.close();
});

test("Basic: the challenge is answered with the credentials; a refusal names the host and where the credentials came from", async () => {
  seen.length = 0;
  const good = `Basic ${Buffer.from("u:p").toString("base64")}`;
  handler = (req, res) => {
    if (req.headers.authorization !== good) return json(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { "www-authenticate": 'Basic realm="test"' });
    return void res.writeHead(req.url?.includes("/blobs/") ? 404 : 200).end();
  };
  const c = client({ credentials: { username: "u", password: "p" }, credentialsNote: "from the test" });
  assert.not.ok(await c.hasBlob("a/b", sha("x")));
  c.close();
  const wrong = client({ credentials: { username: "u", password: "bad" }, credentialsNote: "from the test" });
  const error = await rejects(wrong.hasBlob("a/b", sha("x")), new RegExp(`authentication failed for ${host} \\(check credentials: from the test\\)`), "auth");
  assert.match(error.hint ?? "", /MCC_REGISTRY_USERNAME/);
  wrong.close();
  const none = client({ credentialsNote: "no entry for the host" });
  await rejects(none.hasBlob("a/b", sha("x")), /asks for a user name and password, no credentials: no entry for the host/, "auth");
  none.close();
});

test("Bearer: a token is fetched from the realm with service, scope and Basic credentials, and reused for the same scope", async () => {
  const tokenRequests: string[] = [];
  handler = (req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/token") {
      tokenRequests.push(`${url.searchParams.get("service")} ${url.searchParams.getAll("scope").join(" ")} ${req.headers.authorization ?? ""}`);
      return json(res, 200, { token: `tok-${url.searchParams.getAll("scope").join("+")}`, expires_in: 300 });
    }
    const scope = url.pathname.startsWith("/v2/a/b/") ? "repository:a/b:pull" : "";
    if (req.headers.authorization === undefined || (scope !== "" && !req.headers.authorization.includes(scope))) {
      return json(res, 401, { errors: [{ code: "UNAUTHORIZED" }] }, { "www-authenticate": `Bearer realm="http://${host}/token",service="svc"${scope ? `,scope="${scope}"` : ""}` });
    }
    return void res.writeHead(200).end();
  };
  const c = client({ credentials: { username: "u", password: "p" } });
  assert.ok(await c.hasBlob("a/b", sha("1")));
  assert.ok(await c.hasBlob("a/b", sha("2")));
  await Promise.all([c.hasBlob("a/b", sha("3")), c.hasBlob("a/b", sha("4"))]);
  assert.equal(tokenRequests, [`svc repository:a/b:pull Basic ${Buffer.from("u:p").toString("base64")}`]);
  c.close();
});

test("plain http is refused for hosts that are not loopback, and without --insecure", async () => {
  try {
    createRegistryClient({ host: "192.0.2.1:5000", insecure: true });
    assert.unreachable("accepted");
  } catch (error) {
    assert.instance(error, RegistryError);
    assert.is((error as RegistryError).kind, "insecure");
    assert.match((error as Error).message, /--insecure is allowed only for loopback hosts/);
  }
  // A Bearer realm on plain http is refused unless the client is --insecure (it would carry the password).
  handler = (_req, res) => json(res, 401, {}, { "www-authenticate": `Bearer realm="http://${host}/token",service="svc"` });
  const { checkScheme } = await import("../../src/registry/transport.js");
  assert.throws(() => checkScheme(new URL(`http://${host}/token`), false), /without --insecure/);
  assert.throws(() => checkScheme(new URL("http://192.0.2.1/token"), true), /only for loopback/);
  checkScheme(new URL("https://192.0.2.1/token"), false);
});

test.run();
