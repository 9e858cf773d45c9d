// The real host's HTTP GET (node:http underneath) against a server on loopback: redirects,
// connection reuse, bodies let go of, the timeout, and what httpGet makes of failures.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { collectBytes } from "../../src/host/host.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { httpGet } from "../../src/source/http.js";

const host = createNodeHost();
const BIG = Buffer.alloc(3 << 20, 7);

interface Served {
  readonly base: string;
  /** Connections the server accepted. */
  connections(): number;
  /** Requests it saw, as method and path. */
  readonly seen: string[];
  close(): Promise<void>;
}

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Served> {
  let connections = 0;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers["accept-encoding"] ?? "-"} ${req.headers["user-agent"] ?? "-"}`);
    handle(req, res);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    connections: () => connections,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function routes(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  if (url === "/file") return void res.end("the body");
  if (url === "/big") return void res.end(BIG);
  if (url === "/relative") return void res.writeHead(302, { location: "file" }).end("moved");
  if (url === "/chain/3") return void res.writeHead(307, { location: "/relative" }).end();
  if (url.startsWith("/loop/")) return void res.writeHead(301, { location: `/loop/${Number(url.slice(6)) + 1}` }).end();
  if (url === "/missing") return void res.writeHead(404, { "content-type": "text/plain" }).end("not here");
  if (url === "/silent") return; // never answers
  if (url === "/stalls") {
    res.writeHead(200, { "content-length": "100" });
    res.write("ten bytes.");
    return; // and then nothing
  }
  res.writeHead(500).end();
}

test("follows redirects, relative and absolute, to the body; sends no Accept-Encoding", async () => {
  const s = await serve(routes);
  try {
    const got = await host.httpGet(`${s.base}/chain/3`, { "user-agent": "mcc" }, 5000);
    assert.is(got.status, 200);
    assert.is(new TextDecoder().decode(await collectBytes(got.body as AsyncIterable<Uint8Array>)), "the body");
    assert.equal(s.seen, ["GET /chain/3 - mcc", "GET /relative - mcc", "GET /file - mcc"]);
  } finally {
    await s.close();
  }
});

test("a redirect loop ends after 20 redirects with an error", async () => {
  const s = await serve(routes);
  try {
    await host.httpGet(`${s.base}/loop/0`, {}, 5000).then(
      () => assert.unreachable("a loop must fail"),
      (error: NodeJS.ErrnoException) => assert.is(error.code, "ERR_TOO_MANY_REDIRECTS"),
    );
    assert.is(s.seen.length, 21);
  } finally {
    await s.close();
  }
});

test("sequential requests share one kept-alive connection, also after a discarded short body", async () => {
  const s = await serve(routes);
  try {
    for (let i = 0; i < 3; i++) {
      const got = await host.httpGet(`${s.base}/file`, {}, 5000);
      await collectBytes(got.body as AsyncIterable<Uint8Array>);
    }
    const missing = await host.httpGet(`${s.base}/missing`, {}, 5000);
    assert.is(missing.status, 404);
    assert.is(missing.statusText, "Not Found");
    assert.is(missing.header("Content-Type"), "text/plain");
    await missing.discard();
    const again = await host.httpGet(`${s.base}/file`, {}, 5000);
    await collectBytes(again.body as AsyncIterable<Uint8Array>);
    assert.is(s.connections(), 1);
  } finally {
    await s.close();
  }
});

test("a long body let go of closes its connection; a body read in part can be stopped", async () => {
  const s = await serve(routes);
  try {
    const got = await host.httpGet(`${s.base}/big`, {}, 5000);
    assert.is(got.header("content-length"), String(BIG.length));
    await got.discard();
    const partly = await host.httpGet(`${s.base}/big`, {}, 5000);
    let read = 0;
    for await (const chunk of partly.body as AsyncIterable<Uint8Array>) {
      read += chunk.length;
      break;
    }
    assert.ok(read > 0 && read < BIG.length);
    const whole = await host.httpGet(`${s.base}/big`, {}, 5000);
    assert.is((await collectBytes(whole.body as AsyncIterable<Uint8Array>)).length, BIG.length);
  } finally {
    await s.close();
  }
});

test("a server that does not answer, or stops sending, is a timeout", async () => {
  const s = await serve(routes);
  try {
    await host.httpGet(`${s.base}/silent`, {}, 300).then(
      () => assert.unreachable("no answer must time out"),
      (error: Error) => assert.is(error.name, "TimeoutError"),
    );
    const stalls = await host.httpGet(`${s.base}/stalls`, {}, 300);
    await collectBytes(stalls.body as AsyncIterable<Uint8Array>).then(
      () => assert.unreachable("a stalled body must fail"),
      (error: Error) => assert.instance(error, Error),
    );
  } finally {
    await s.close();
  }
});

test("httpGet: a refused connection is retried, then named by its code", async () => {
  const s = await serve(routes);
  const base = s.base;
  await s.close();
  await httpGet(host, `${base}/file`, { retries: 1 }).then(
    () => assert.unreachable("nothing listens"),
    (error: Error) => assert.match(error.message, /failed after 2 attempts: ECONNREFUSED/),
  );
});

test("httpGet: 404 is an answer, 500 is retried and then a failure", async () => {
  const s = await serve(routes);
  try {
    assert.is((await httpGet(host, `${s.base}/missing`)).status, 404);
    await httpGet(host, `${s.base}/other`, { retries: 1 }).then(
      () => assert.unreachable("500 must fail"),
      (error: Error) => assert.match(error.message, /failed after 2 attempts: HTTP 500 Internal Server Error/),
    );
  } finally {
    await s.close();
  }
});

test.run();
