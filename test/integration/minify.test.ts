// `mcc minify` on a real full image: a bookworm rootfs with curl built by mmdebstrap from the
// host's mirror, wrapped into an OCI layout by umoci (config set with umoci config), minified,
// validated by oci-image-tool, read by skopeo, unpacked by umoci and run under runc; the same
// image as a docker-archive (skopeo copy) minifies to the same digest; a #! script entrypoint
// added as a second layer by umoci insert runs with only its shell kept. inspect and diff read
// the full image's dpkg database (status and info lists), checked against dpkg-query's, and the
// full image's HTML report opens in Chromium.
import { execFileSync, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createNodeHost } from "../../src/host/node-host.js";
import { archiveBases } from "../../src/source/bases.js";
import type { Spec } from "../../src/types/spec.js";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { startRegistry } from "../support/registry-server.js";
import { launchChromium } from "../support/chromium.js";
import { refNameOf } from "../support/layout.js";
import { needRunc, runLayoutImage } from "../support/runc.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-minify-it-"));
const bin = join(repoRoot, "dist", "cli", "main.js");
const layout = join(work, "full");
const validateSpdx = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "test", "vendor", "spdx-2.3", "spdx-schema.json"), "utf8")) as object);

function tool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

function mcc(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args, "--cache", sharedTestCache], { cwd: work, encoding: "utf8" });
}

/** inspect and diff take no cache. */
function mccPlain(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", maxBuffer: 256 << 20 });
}

interface Report {
  before: { files: number; bytes: number };
  after: { files: number; bytes: number };
  kept: { name: string; version?: string; after: { files: number; bytes: number } }[];
  dropped: string[];
  outputs: { path: string; digest?: string }[];
}

function minify(image: string, out: string, extra: string[] = []): Report {
  const r = mcc(["minify", image, "-o", out, "--name", "curl-min", "--json", ...extra]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/**
 * An mmdebstrap tarball (bookworm, essential + the packages, from the mirror of the host's apt
 * sources), kept in the shared test cache: built once per machine (~30 s each).
 */
async function rootfsTarball(name = "curl", include = "curl,ca-certificates"): Promise<string> {
  const tarball = join(sharedTestCache, "mmdebstrap", `bookworm-${name}.tar`);
  if (existsSync(tarball)) return tarball;
  const { mirror } = await archiveBases(createNodeHost(), { from: { release: "bookworm" } } as unknown as Spec, {});
  mkdirSync(join(sharedTestCache, "mmdebstrap"), { recursive: true });
  const temp = `${tarball}.${process.pid}.tmp.tar`;
  const r = spawnSync("mmdebstrap", ["--variant=essential", `--include=${include}`, "--mode=root", "--format=tar", "-q", "bookworm", temp, `deb ${mirror} bookworm main`], {
    encoding: "utf8",
    timeout: 600_000,
  });
  assert.is(r.status, 0, r.stderr);
  renameSync(temp, tarball);
  return tarball;
}

/** The image of a layout run under runc (see runLayoutImage), its bundle in this test's directory. */
function runLayout(dir: string, tag: string, name: string, options: { args?: string[]; hostNetwork?: boolean } = {}) {
  return runLayoutImage(dir, tag, work, name, options);
}

let ociDigest: string | undefined;

test("a full curl image from mmdebstrap and umoci minifies, keeps its config, and runs under runc", async () => {
  needRunc();
  const tarball = await rootfsTarball();
  tool("umoci", ["init", "--layout", layout]);
  tool("umoci", ["new", "--image", `${layout}:full`]);
  tool("umoci", ["raw", "add-layer", "--image", `${layout}:full`, tarball]);
  tool("umoci", [
    "config", "--image", `${layout}:full`, "--tag", "full",
    "--config.entrypoint", "curl", "--config.cmd", "--version",
    "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--config.env", "GREETING=hello",
    "--config.label", "org.example.team=edge", "--config.exposedports", "8080/tcp",
    "--config.user", "1000:1000", "--config.workingdir", "/srv",
  ]);
  const out = join(work, "curl-min");
  const report = minify(`${layout}:full`, out);
  console.log(`  curl image: ${report.before.files} files, ${report.before.bytes} bytes -> ${report.after.files} files, ${report.after.bytes} bytes`);
  assert.ok(report.before.files > 4000, `${report.before.files}`);
  assert.ok(report.after.bytes * 5 < report.before.bytes, JSON.stringify({ before: report.before, after: report.after }));
  for (const name of ["curl", "libcurl4", "libc6", "libssl3"]) assert.ok(report.kept.some((p) => p.name === name && p.version !== undefined), name);
  for (const name of ["bash", "perl-base", "coreutils", "dpkg"]) assert.ok(report.dropped.includes(name), name);
  ociDigest = report.outputs[0]?.digest;
  // The SBOM: valid SPDX 2.3, the kept packages with the version dpkg recorded, every kept file.
  const sbom = JSON.parse(readFileSync(`${out}.spdx.json`, "utf8")) as { packages: { name: string; versionInfo?: string }[]; files: unknown[] };
  assert.ok(validateSpdx(sbom), JSON.stringify(validateSpdx.errors?.slice(0, 3)));
  const curl = report.kept.find((p) => p.name === "curl");
  assert.is(sbom.packages.find((p) => p.name === "curl")?.versionInfo, curl?.version);
  assert.not.ok(sbom.packages.some((p) => p.name === "bash"));
  assert.is(sbom.files.length, report.after.files);
  assert.match(tool("oci-image-tool", ["validate", "--type", "image", "--ref", `name=${refNameOf(out)}`, out]), /Validation succeeded/);
  const config = JSON.parse(tool("skopeo", ["inspect", "--config", `oci:${out}`])) as { config: Record<string, unknown> };
  assert.equal(config.config["Entrypoint"], ["/usr/bin/curl"]);
  assert.equal(config.config["Cmd"], ["--version"]);
  assert.ok((config.config["Env"] as string[]).includes("GREETING=hello"));
  assert.equal(config.config["Labels"], { "org.example.team": "edge" });
  assert.equal(config.config["ExposedPorts"], { "8080/tcp": {} });
  assert.is(config.config["User"], "1000:1000");
  assert.is(config.config["WorkingDir"], "/srv");
  // The image's own Entrypoint and Cmd, as its user, with a read-only root.
  const run = await runLayout(out, "latest", "version");
  assert.equal(run.user, { uid: 1000, gid: 1000 });
  assert.is(run.stderr, "");
  assert.is(run.status, 0);
  assert.match(run.stdout, /^curl 7\.88\.1 /);
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "text/plain" }).end("hello\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const fetched = await runLayout(out, "latest", "fetch", { args: ["/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${port}/`], hostNetwork: true });
    assert.is(fetched.stderr, "");
    assert.is(fetched.stdout, "200");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

interface Inspected {
  bytes: number;
  packages: { name: string; version?: string; files: number; bytes: number }[];
  entries: { path: string; kind: string; size: number; package?: string }[];
}

test("inspect attributes the full image's files by dpkg's status and lists, as dpkg-query does", () => {
  assert.ok(ociDigest !== undefined, "the OCI test ran first");
  // dpkg's own answer, from the image's database: curl's version and the paths it installed.
  const admin = join(work, "admin");
  mkdirSync(admin);
  tool("tar", ["-xf", join(sharedTestCache, "mmdebstrap", "bookworm-curl.tar"), "-C", admin, "./var/lib/dpkg"]);
  const admindir = join(admin, "var", "lib", "dpkg");
  const version = tool("dpkg-query", ["--admindir", admindir, "-W", "-f", "${Version}", "curl"]);
  const listed = new Set(tool("dpkg-query", ["--admindir", admindir, "-L", "curl"]).split("\n").map((p) => p.replace(/^\/(bin|sbin|lib|lib64)\//, "/usr/$1/")));
  const r = mccPlain(["inspect", layout, "--json"]);
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Inspected;
  const curl = s.packages.find((p) => p.name === "curl");
  assert.is(curl?.version, version);
  const curlFiles = s.entries.filter((e) => e.kind === "file" && listed.has(e.path));
  assert.ok(curlFiles.length >= 5, `${curlFiles.length}`);
  assert.equal(curlFiles.filter((e) => e.package !== "curl").map((e) => e.path), []);
  assert.is(curl?.files, curlFiles.length);
  assert.ok(s.entries.some((e) => e.path === "/usr/bin/curl" && e.package === "curl"));
  // libc6's list is libc6:amd64.list and says /lib/x86_64-linux-gnu/...; the image has /usr/lib.
  assert.is(s.entries.find((e) => e.path === "/usr/lib/x86_64-linux-gnu/libc.so.6")?.package, "libc6");
  // What no list names (generated at install: ld.so.cache, debconf's caches, the CA bundle) is little.
  const unowned = s.packages.find((p) => p.name === "(unowned)")?.bytes ?? 0;
  console.log(`  full curl image: ${s.packages.length} headings, (unowned) ${unowned} of ${s.bytes} bytes`);
  assert.ok(unowned < 0.02 * s.bytes, `${unowned} of ${s.bytes}`);
  const text = mccPlain(["inspect", layout]);
  assert.match(text.stdout, /^by package \(from \/var\/lib\/dpkg\/status and info\/\*\.list\):$/m);
  assert.match(text.stdout, new RegExp(`^ .* files  curl ${version.replace(/[.+]/g, "\\$&")}$`, "m"));
});

test("diff of the full and the minified image: bash removed, curl kept, the bytes saved", () => {
  const out = join(work, "curl-min");
  const j = mccPlain(["diff", layout, out, "--json"]);
  assert.is(j.status, 0, j.stderr);
  const d = JSON.parse(j.stdout) as {
    packages: { removed: { name: string; bytes: number }[]; kept: { name: string; before: { files: number }; after: { files: number } }[]; added: unknown[] };
    bytes: { before: number; after: number };
  };
  assert.ok(d.packages.removed.some((p) => p.name === "bash" && p.bytes > 1 << 20), JSON.stringify(d.packages.removed.map((p) => p.name)));
  const curl = d.packages.kept.find((p) => p.name === "curl");
  assert.ok(curl !== undefined && curl.after.files >= 1 && curl.after.files < curl.before.files, JSON.stringify(curl));
  assert.equal(d.packages.added, []);
  assert.ok(d.bytes.after * 5 < d.bytes.before, JSON.stringify(d.bytes));
  const t = mccPlain(["diff", layout, out]);
  assert.is(t.status, 0, t.stderr);
  assert.match(t.stdout, /^size: [\d.]+ MiB -> [\d.]+ MiB \([\d.]+ MiB saved, -\d+\.\d%\)$/m);
  assert.match(t.stdout, /^- bash \S+ +[\d.]+ MiB in \d+ files$/m);
  assert.match(t.stdout, /^  curl \S+ +[\d.]+ KiB in \d+ files -> [\d.]+ KiB in 1 file$/m);
  assert.not.match(t.stdout, /^  - \/usr\/bin\/bash /m, "bash's files are said by its package line");
  console.log(`  diff full -> minified: ${t.stdout.split("\n").length} lines; ${t.stdout.split("\n").slice(1, 4).join("; ")}`);
});

test("the full image's HTML report draws curl's package in the treemap", async () => {
  needTools("chromium");
  const html = join(work, "full.html");
  const h = mccPlain(["inspect", layout, "--html", html]);
  assert.is(h.status, 0, h.stderr);
  const s = JSON.parse(mccPlain(["inspect", layout, "--json"]).stdout) as Inspected;
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
    const group = page.locator('#treemap g[data-group="curl"]');
    assert.is(await group.getAttribute("data-bytes"), String(s.packages.find((p) => p.name === "curl")?.bytes));
    assert.is(await page.locator('#treemap g[data-group="(unowned)"]').count(), 1);
    assert.equal(errors, []);
  } finally {
    await browser.close();
  }
});

test("the same image saved as a docker-archive minifies to the same digest", () => {
  assert.ok(ociDigest !== undefined, "the OCI test ran first");
  const archive = join(work, "full.docker.tar");
  tool("skopeo", ["copy", `oci:${layout}:full`, `docker-archive:${archive}:curl:full`]);
  const report = minify(archive, join(work, "curl-from-docker"));
  assert.is(report.outputs[0]?.digest, ociDigest);
  const other = minify(`${archive}:curl:full`, join(work, "curl-from-docker.tar"), ["--format", "docker-archive"]);
  assert.is(other.after.files, report.after.files);
  const loaded = JSON.parse(tool("skopeo", ["inspect", `docker-archive:${join(work, "curl-from-docker.tar")}:curl-min:latest`])) as { Labels: Record<string, string> };
  assert.equal(loaded.Labels, { "org.example.team": "edge" });
});

test("from a registry to a registry: minify a pushed image, push the result with auth over TLS, pull it back", async () => {
  assert.ok(ociDigest !== undefined, "the OCI test ran first");
  const plain = await startRegistry();
  const secure = await startRegistry({ tls: true, basic: { user: "builder", password: "s3cret" } });
  try {
    // The developers' full image, pushed by another tool.
    tool("skopeo", ["copy", "--dest-tls-verify=false", `oci:${layout}:full`, `docker://${plain.host}/dev/curl:full`]);
    const out = join(work, "curl-from-registry");
    const r = mcc(["minify", `${plain.host}/dev/curl:full`, "--insecure", "-o", out, "--name", "curl-min", "--json"]);
    assert.is(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    // The same image read from a registry gives the same microcontainer as from the layout.
    assert.is(report.outputs[0]?.digest, ociDigest);

    const env = { MCC_REGISTRY_USERNAME: "builder", MCC_REGISTRY_PASSWORD: "s3cret" };
    const push = spawnSync(process.execPath, [bin, "push", out, `${secure.host}/prod/curl:min`, "--ca-file", secure.caFile as string], { encoding: "utf8", env: { ...process.env, ...env } });
    assert.is(push.status, 0, push.stderr);
    assert.ok(push.stdout.includes(ociDigest), push.stdout);
    const wrong = spawnSync(process.execPath, [bin, "push", out, `${secure.host}/prod/curl:min`, "--ca-file", secure.caFile as string], { encoding: "utf8", env: { ...process.env, ...env, MCC_REGISTRY_PASSWORD: "nope" } });
    assert.is(wrong.status, 1, wrong.stderr);
    assert.match(wrong.stderr, /authentication failed/i);
    const inspected = JSON.parse(tool("skopeo", ["inspect", "--tls-verify=false", "--creds", "builder:s3cret", `docker://${secure.host}/prod/curl:min`])) as { Digest: string; Labels: Record<string, string> };
    assert.is(inspected.Digest, ociDigest);
    assert.equal(inspected.Labels, { "org.example.team": "edge" });
    const back = join(work, "curl-pulled");
    const pull = spawnSync(process.execPath, [bin, "pull", `${secure.host}/prod/curl:min`, back, "--ca-file", secure.caFile as string], { encoding: "utf8", env: { ...process.env, ...env } });
    assert.is(pull.status, 0, pull.stderr);
    const run = await runLayout(back, "min", "pulled");
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, /^curl 7\.88\.1 /);
  } finally {
    await plain.stop();
    await secure.stop();
  }
});

test("a #! script entrypoint in a second layer keeps its shell and nothing of bash", async () => {
  // A layer tar made by GNU tar (umoci 0.4.7's `insert` writes a truncated layer).
  const dir = join(work, "script-layer");
  mkdirSync(join(dir, "usr", "local", "bin"), { recursive: true });
  writeFileSync(join(dir, "usr", "local", "bin", "hello.sh"), '#!/bin/sh\necho "$GREETING from a script"\n', { mode: 0o755 });
  tool("tar", ["-cf", join(work, "script-layer.tar"), "-C", dir, "usr/local/bin/hello.sh"]);
  tool("umoci", ["tag", "--image", `${layout}:full`, "script"]);
  tool("umoci", ["raw", "add-layer", "--image", `${layout}:script`, join(work, "script-layer.tar")]);
  tool("umoci", ["config", "--image", `${layout}:script`, "--tag", "script", "--config.entrypoint", "hello.sh", "--clear", "config.cmd"]);
  const out = join(work, "script-min");
  const r = mcc(["minify", `${layout}:script`, "-o", out, "--name", "script", "--json"]);
  assert.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report & { entrypoint: string[] };
  assert.equal(report.entrypoint, ["/usr/local/bin/hello.sh"]);
  assert.ok(report.kept.some((p) => p.name === "dash"), JSON.stringify(report.kept.map((p) => p.name)));
  assert.ok(report.dropped.includes("bash") && report.dropped.includes("curl"));
  const run = await runLayout(out, "latest", "script");
  assert.is(run.stderr, "");
  assert.is(run.stdout, "hello from a script\n");
});

test("python3: the interpreter keeps its standard library whole (it imports by path), and a spec trims it further", async () => {
  const tarball = await rootfsTarball("python3", "python3");
  const py = join(work, "python");
  tool("umoci", ["init", "--layout", py]);
  tool("umoci", ["new", "--image", `${py}:full`]);
  tool("umoci", ["raw", "add-layer", "--image", `${py}:full`, tarball]);
  tool("umoci", ["config", "--image", `${py}:full`, "--tag", "full", "--config.entrypoint", "python3", "--config.cmd", "-c", "--config.cmd", "import json, sqlite3; print(json.dumps({'sqlite': sqlite3.sqlite_version_info[0]}))", "--config.env", "LANG=C.UTF-8"]);
  const bare = mcc(["minify", `${py}:full`, "-o", join(work, "py-bare"), "--name", "py", "--json"]);
  assert.is(bare.status, 0, bare.stderr);
  const whole = JSON.parse(bare.stdout) as Report;
  const started = await runLayout(join(work, "py-bare"), "latest", "py-bare");
  assert.is(started.stderr, "");
  assert.is(started.stdout, '{"sqlite": 3}\n');
  // cgi.py starts with `#! /usr/local/bin/python`, which no image has: a module kept as data
  // needs no interpreter of its own.
  const spec = join(work, "python.yml");
  writeFileSync(spec, "exclude: [/usr/lib/python3.11/**/__pycache__/**, /usr/lib/python3.11/test/**]\n");
  const r = mcc(["minify", `${py}:full`, "--spec", spec, "-o", join(work, "py-min"), "--name", "py", "--json"]);
  assert.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  console.log(`  python3 image: ${report.before.files} files, ${report.before.bytes} bytes -> ${report.after.files} files, ${report.after.bytes} bytes`);
  assert.ok(report.after.bytes * 2 < report.before.bytes, JSON.stringify({ before: report.before, after: report.after }));
  assert.ok(report.after.bytes < whole.after.bytes, "the spec's excludes trim the standard library");
  // The sqlite3 extension module is traced for libsqlite3, which the include did not name.
  assert.ok(report.kept.some((p) => p.name === "libsqlite3-0"), JSON.stringify(report.kept.map((p) => p.name)));
  const run = await runLayout(join(work, "py-min"), "latest", "py-min");
  assert.is(run.stderr, "");
  assert.is(run.stdout, '{"sqlite": 3}\n');
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
