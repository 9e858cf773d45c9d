// The outputs as podman users load them, with nothing named or converted: `podman load -i` of
// an oci-archive (a two-architecture index with its SBOMs and provenance) and of a
// docker-archive, `podman pull oci:DIR` and `oci-archive:FILE`; each image named as the spec
// names it and run read-only as its user. podman gets a storage of its own (vfs, removed at the
// end) so the machine's images are never touched. This machine needs
// `--ulimit nofile=1024:1024 --ulimit nproc=1024:1024` for podman to start a container.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { layoutIndexOf, layoutReferrers } from "../support/layout.js";
import { needTools } from "../support/tools.js";

interface Context {
  work: string;
}
const test = suite<Context>("podman", {} as Context);
const bin = join(repoRoot, "dist", "cli", "main.js");
const LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

function compile(ctx: Context, example: string, format: string, out: string, ...extra: string[]): string {
  const r = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", `${example}.yml`), "--format", format, "-o", out, "-q", ...extra], {
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedTestCache },
    timeout: 10 * 60_000,
  });
  assert.is(r.status, 0, r.stderr);
  return out;
}

function podman(ctx: Context, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const store = ["--root", join(ctx.work, "storage"), "--runroot", join(ctx.work, "run"), "--storage-driver", "vfs", "--log-level", "error"];
  const r = spawnSync("podman", [...store, ...args], { encoding: "utf8", timeout: 3 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: `${r.error === undefined ? "" : `${r.error.message}\n`}${r.stderr}` };
}

function ok(ctx: Context, args: string[]): string {
  const r = podman(ctx, args);
  assert.is(r.code, 0, `podman ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test.before((ctx) => {
  needTools("podman");
  // Lowercase: `podman pull oci:PATH` names the image after the path, and a name is lowercase.
  ctx.work = join(tmpdir(), `mcc-podman-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(ctx.work);
});

test.after((ctx) => {
  // The storage is ours alone (vfs keeps plain directories): removing it removes every image
  // the test loaded, and nothing of the machine's (`podman system reset` would reach its networks).
  if (ctx.work !== undefined) rmSync(ctx.work, { recursive: true, force: true });
});

test("podman load -i takes a two-architecture oci-archive as it is, names it NAME:TAG, and runs it read-only as its user", (ctx) => {
  const layout = compile(ctx, "busybox-httpd", "oci", join(ctx.work, "httpd"));
  // What makes it load: index.json lists the image alone; the SBOMs and provenance are beside it.
  assert.is(layoutIndexOf(layout).manifests.length, 1);
  assert.is(layoutReferrers(layout).length, 4);
  const archive = compile(ctx, "busybox-httpd", "oci-archive", join(ctx.work, "httpd.oci.tar"));
  assert.match(ok(ctx, ["load", "-i", archive]), /Loaded image: localhost\/httpd:1\.36/);
  // The spec's user (www, 1000) with a read-only root; /run a tmpfs the user owns.
  const run = ok(ctx, ["run", "--rm", ...LIMITS, "--read-only", "--tmpfs", "/run:U", "localhost/httpd:1.36", "sh", "-c", "id -u; touch /run/x && echo run-writable; touch /x 2>/dev/null || echo root-read-only"]);
  assert.is(run, "1000\nrun-writable\nroot-read-only\n");
});

test("podman pull oci:DIR and oci-archive:FILE take a layout without being told which image", (ctx) => {
  const layout = compile(ctx, "hello", "oci", join(ctx.work, "hello"), "--arch", "amd64");
  ok(ctx, ["pull", `oci:${layout}`]);
  // podman 4 names what it pulls from a layout after the layout's path.
  assert.is(ok(ctx, ["run", "--rm", ...LIMITS, "--read-only", `localhost${layout}:latest`]).trim(), "hello from a microcontainer");
  const archive = compile(ctx, "hello", "oci-archive", join(ctx.work, "hello.oci.tar"), "--arch", "amd64");
  const id = ok(ctx, ["pull", `oci-archive:${archive}`]).trim().split("\n").pop() ?? "";
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.is(ok(ctx, ["run", "--rm", ...LIMITS, "--read-only", id]).trim(), "hello from a microcontainer");
});

test("podman load -i takes a docker-archive under the spec's name", (ctx) => {
  const archive = compile(ctx, "hello", "docker-archive", join(ctx.work, "hello.docker.tar"), "--arch", "amd64");
  assert.match(ok(ctx, ["load", "-i", archive]), /Loaded image: localhost\/hello:latest/);
  assert.is(ok(ctx, ["run", "--rm", ...LIMITS, "--read-only", "localhost/hello:latest"]).trim(), "hello from a microcontainer");
});

test.run();
