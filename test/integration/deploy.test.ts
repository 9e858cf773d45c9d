// The deployment files as their clients take them, unedited: `mcc kube` run by `podman kube play`
// (a bare Pod, and a Deployment with a volume claim and a ConfigMap from a directory), and
// `mcc compose` checked by docker-compose's schema and run by podman-compose. Each serves its
// page over HTTP, read-only and as the spec's user. podman gets a storage of its own (vfs,
// through CONTAINERS_STORAGE_CONF, which podman-compose's podman reads too), removed at the end;
// the container limits this machine needs go in a containers.conf of the test's.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { needTools } from "../support/tools.js";

interface Context {
  work: string;
  env: NodeJS.ProcessEnv;
  port: number;
  spec: string;
}
const test = suite<Context>("deploy", {} as Context);
const bin = join(repoRoot, "dist", "cli", "main.js");

function mcc(ctx: Context, args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ctx.work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache }, timeout: 10 * 60_000 });
  assert.is(r.status, 0, `mcc ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function run(ctx: Context, command: string, args: string[]): string {
  const r = spawnSync(command, args, { cwd: ctx.work, encoding: "utf8", env: ctx.env, timeout: 3 * 60_000 });
  assert.is(r.status, 0, `${command} ${args.join(" ")}: ${r.error?.message ?? ""}${r.stderr}`);
  return r.stdout;
}

/** A TCP port nothing listens on now: the spec's port, which the compose file publishes as itself. */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** GET a page, retried while the server starts (at most 30 s). */
async function page(url: string): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return await r.text();
    } catch (error) {
      if (Date.now() > until) throw new Error(`${url}: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The address of a running container on podman's network. */
function addressOf(ctx: Context, container: string): string {
  const ip = run(ctx, "podman", ["inspect", container, "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"]).trim();
  assert.match(ip, /^[0-9.]+$/, `no address for ${container}`);
  return ip;
}

/** Stops what a kube file started; podman 4 keeps its claims' and ConfigMaps' volumes, which a second play would trip over. */
function down(ctx: Context, file: string) {
  run(ctx, "podman", ["kube", "down", file]);
  run(ctx, "podman", ["volume", "rm", "--all", "--force"]);
}

test.before(async (ctx) => {
  needTools("podman", "podman-compose", "docker-compose");
  ctx.work = join(tmpdir(), `mcc-deploy-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(ctx.work);
  writeFileSync(join(ctx.work, "containers.conf"), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n');
  writeFileSync(join(ctx.work, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${ctx.work}/storage"\nrunroot = "${ctx.work}/run"\n`);
  ctx.env = { ...process.env, CONTAINERS_CONF: join(ctx.work, "containers.conf"), CONTAINERS_STORAGE_CONF: join(ctx.work, "storage.conf") };
  ctx.port = await freePort();
  // A web server whose page is in its config mount, with a volume it never writes.
  ctx.spec = join(ctx.work, "web.yml");
  writeFileSync(
    ctx.spec,
    [
      "version: 1",
      "name: web_page",
      "from: { release: bookworm, archs: [amd64] }",
      "packages: [busybox-static]",
      "executable: /bin/busybox",
      `args: [httpd, -f, -p, "${ctx.port}", -h, /read]`,
      "user: { name: www, uid: 1000, gid: 1000 }",
      "mounts:",
      "  - { path: /run, type: tmpfs }",
      "  - { path: /read, type: config }",
      "  - { path: /write, type: volume }",
      "files:",
      "  - { path: /read/index.html, content: 'from the image' }",
      `ports: [${ctx.port}]`,
      "output: { format: oci-archive, path: web.tar }",
      "",
    ].join("\n"),
  );
  mcc(ctx, ["compile", ctx.spec, "-q"]);
  assert.match(run(ctx, "podman", ["load", "-i", join(ctx.work, "web.tar")]), /Loaded image: localhost\/web_page:latest/);
});

test.after((ctx) => {
  if (ctx.work === undefined) return;
  // Containers and pods first (their mounts live in the storage), then the storage itself.
  if (ctx.env !== undefined) {
    spawnSync("podman", ["pod", "rm", "--all", "--force"], { env: ctx.env, timeout: 60_000 });
    spawnSync("podman", ["rm", "--all", "--force"], { env: ctx.env, timeout: 60_000 });
  }
  rmSync(ctx.work, { recursive: true, force: true });
});

test("mcc kube --pod: podman kube play runs it read-only as the spec's user and it serves the ConfigMap the spec's files make", async (ctx) => {
  const yaml = mcc(ctx, ["kube", ctx.spec, "--pod"]);
  const kinds = parseAllDocuments(yaml).map((d) => (d.toJS() as { kind: string }).kind);
  // In the order of the spec's mounts (/read, then /write), the Pod last.
  assert.equal(kinds, ["ConfigMap", "PersistentVolumeClaim", "Pod"]);
  writeFileSync(join(ctx.work, "pod.yaml"), yaml);
  run(ctx, "podman", ["kube", "play", "pod.yaml"]);
  try {
    // podman names a pod's container POD-CONTAINER; both are the spec's name made a DNS label.
    const container = "web-page-web-page";
    const inspect = JSON.parse(run(ctx, "podman", ["inspect", container]))[0];
    assert.is(inspect.HostConfig.ReadonlyRootfs, true);
    assert.is(inspect.Config.User, "1000:1000");
    const mounts = Object.fromEntries(inspect.Mounts.map((m: { Destination: string; RW: boolean }) => [m.Destination, m.RW]));
    assert.equal(mounts, { "/run": true, "/read": false, "/write": true });
    assert.is(await page(`http://${addressOf(ctx, container)}:${ctx.port}/`), "from the image");
  } finally {
    down(ctx, "pod.yaml");
  }
});

test("mcc kube: a Deployment whose ConfigMap comes from --config DIR, played by podman, serves that directory's page", async (ctx) => {
  mkdirSync(join(ctx.work, "site"));
  writeFileSync(join(ctx.work, "site", "index.html"), "from the directory");
  mcc(ctx, ["kube", ctx.spec, "--config", "/read=site", "-o", "deploy.yaml"]);
  run(ctx, "podman", ["kube", "play", "deploy.yaml"]);
  try {
    // podman 4 names a Deployment's pods NAME-pod-N, and their containers POD-CONTAINER.
    const container = "web-page-pod-0-web-page";
    assert.is(await page(`http://${addressOf(ctx, container)}:${ctx.port}/`), "from the directory");
  } finally {
    down(ctx, "deploy.yaml");
  }
  // -o replaces what mcc wrote, and nothing else.
  mcc(ctx, ["kube", ctx.spec, "-o", "deploy.yaml"]);
  writeFileSync(join(ctx.work, "mine.yaml"), "kind: Mine\n");
  const refused = spawnSync(process.execPath, [bin, "kube", ctx.spec, "-o", "mine.yaml"], { cwd: ctx.work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache }, timeout: 60_000 });
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /mine\.yaml exists and mcc did not write it/);
  // A config directory a ConfigMap cannot hold is refused before it is read.
  mkdirSync(join(ctx.work, "big"));
  writeFileSync(join(ctx.work, "big", "blob"), Buffer.alloc(2 << 20));
  const big = spawnSync(process.execPath, [bin, "kube", ctx.spec, "--config", "/read=big"], { cwd: ctx.work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache }, timeout: 60_000 });
  assert.is(big.status, 1);
  assert.match(big.stderr, /holds 2097152 bytes; a ConfigMap holds at most 1048576/);
});

test("mcc compose: docker-compose's schema accepts it, and podman-compose runs it read-only and publishes the port", async (ctx) => {
  mkdirSync(join(ctx.work, "conf"));
  writeFileSync(join(ctx.work, "conf", "index.html"), "from compose");
  mcc(ctx, ["compose", ctx.spec, "--config", "/read=conf", "-o", "compose.yml"]);
  run(ctx, "docker-compose", ["-f", "compose.yml", "config", "-q"]);
  run(ctx, "podman-compose", ["-f", "compose.yml", "-p", "mcctest", "up", "-d"]);
  try {
    assert.is(await page(`http://127.0.0.1:${ctx.port}/`), "from compose");
    const inspect = JSON.parse(run(ctx, "podman", ["inspect", "mcctest_web-page_1"]))[0];
    assert.is(inspect.HostConfig.ReadonlyRootfs, true);
    assert.is(inspect.Config.User, "1000:1000");
  } finally {
    run(ctx, "podman-compose", ["-f", "compose.yml", "-p", "mcctest", "down"]);
  }
});

test.run();
