// A real registry for the tests: Debian's docker-registry (distribution 2.8) on a free
// 127.0.0.1 port, with filesystem storage in a temporary directory, plain or behind TLS with
// htpasswd (bcrypt) Basic auth, or with token auth against a token server the test runs.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSign, generateKeyPairSync } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackChild, trackServer } from "./children.js";

/** A running registry: its `host:port`, its CA (for TLS) and how to stop it. */
export interface TestRegistry {
  readonly host: string;
  readonly dir: string;
  readonly caFile?: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again before use; the tests run one at a time). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** A self-signed certificate for 127.0.0.1 (an IP SAN), made with openssl. */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { cert, key };
}

/** What the registry's config adds for auth and TLS. */
export interface RegistryConfig {
  readonly tls?: boolean;
  /** htpasswd Basic auth with this user and password (bcrypt, by `htpasswd -Bbn`). */
  readonly basic?: { user: string; password: string };
  /** Token auth: the realm, service, issuer and the certificate the tokens are signed under. */
  readonly token?: { realm: string; service: string; issuer: string; certFile: string };
}

/** Starts docker-registry and waits until /v2/ answers. */
export async function startRegistry(config: RegistryConfig = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "mcc-registry-"));
  const port = await freePort();
  const lines = ["version: 0.1", "log:", "  level: warn", "storage:", "  filesystem:", `    rootdirectory: ${join(dir, "data")}`, "  delete:", "    enabled: true", "http:", `  addr: 127.0.0.1:${port}`];
  let caFile: string | undefined;
  if (config.tls) {
    const { cert, key } = makeCertificate(dir);
    caFile = cert;
    lines.push("  tls:", `    certificate: ${cert}`, `    key: ${key}`);
  }
  if (config.basic !== undefined) {
    const htpasswd = execFileSync("htpasswd", ["-Bbn", config.basic.user, config.basic.password], { encoding: "utf8" });
    writeFileSync(join(dir, "htpasswd"), htpasswd);
    lines.push("auth:", "  htpasswd:", "    realm: mcc-test", `    path: ${join(dir, "htpasswd")}`);
  } else if (config.token !== undefined) {
    const t = config.token;
    lines.push("auth:", "  token:", `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certFile}`);
  }
  writeFileSync(join(dir, "config.yml"), lines.join("\n") + "\n");
  // Its log goes to a file, not a pipe: a caller that then blocks in spawnSync (the tests run
  // mcc that way) drains no pipe, and once 64 KiB of log filled it the registry hung on write.
  const logFile = join(dir, "registry.log");
  const logFd = openSync(logFile, "w");
  const child: ChildProcess = trackChild(spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "ignore", logFd] }), `docker-registry on 127.0.0.1:${port}`);
  closeSync(logFd);
  const host = `127.0.0.1:${port}`;
  const up = await waitFor(host, config.tls === true ? caFile : undefined, child);
  if (!up) {
    child.kill("SIGTERM");
    throw new Error(`docker-registry did not start on ${host}: ${readFileSync(logFile, "utf8").slice(-2000)}`);
  }
  return {
    host,
    dir,
    ...(caFile === undefined ? {} : { caFile }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve(void rmSync(dir, { recursive: true, force: true }));
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

async function waitFor(host: string, ca: string | undefined, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const status = await new Promise<number>((resolve) => {
      const req = (ca === undefined ? httpRequest : httpsRequest)(`${ca === undefined ? "http" : "https"}://${host}/v2/`, ca === undefined ? {} : { ca: readFileSync(ca) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", () => resolve(0));
      req.end();
    });
    if (status === 200 || status === 401) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** A token server: grants what is asked to one user, signs RS256 JWTs with an x5c chain. */
export interface TokenServer {
  readonly realm: string;
  readonly certFile: string;
  /** The scope sets asked for, one entry per token request (to check caching). */
  readonly requests: string[];
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** Starts a token server on 127.0.0.1 for `service`/`issuer`, accepting `user`/`password` (Basic). */
export async function startTokenServer(dir: string, service: string, issuer: string, user: string, password: string): Promise<TokenServer> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = join(dir, "token-key.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  const certFile = join(dir, "token-cert.pem");
  execFileSync("openssl", ["req", "-x509", "-new", "-key", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=mcc-test-token"], { stdio: "ignore" });
  const der = Buffer.from(readFileSync(certFile, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const requests: string[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const server: Server = trackServer(createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] }));
      return;
    }
    const scopes = url.searchParams.getAll("scope");
    requests.push(scopes.join(" "));
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(":");
      return { type, name, actions: (actions ?? "").split(",") };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", x5c: [der.toString("base64")] };
    const claims = { iss: issuer, sub: user, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: `${now}-${requests.length}`, access };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(signing).sign(privateKey);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `${signing}.${b64url(signature)}`, expires_in: 300 }));
  }), "the registry token server");
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { realm: `http://127.0.0.1:${port}/token`, certFile, requests, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
