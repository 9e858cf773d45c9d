// mcc push and mcc pull against a real registry (Debian's docker-registry, distribution 2.8)
// on loopback: plain http with --insecure; TLS with a self-signed certificate for 127.0.0.1
// and htpasswd Basic auth; token auth with a token server written here. What mcc pushed is
// read back by skopeo, pulled by mcc and compared digest for digest with what mcc built.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { startRegistry, startTokenServer, type TestRegistry, type TokenServer } from "../support/registry-server.js";
import { layoutReferrers } from "../support/layout.js";
import { needTools } from "../support/tools.js";
import { trackChild } from "../support/children.js";

const work = mkdtempSync(join(tmpdir(), "mcc-registry-test-"));
const bin = join(repoRoot, "dist", "cli", "main.js");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs mcc without blocking this process (the token server answers from it). */
function mcc(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = trackChild(spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, MCC_CACHE: sharedTestCache, DOCKER_CONFIG: join(work, "no-docker-config"), MCC_REGISTRY_USERNAME: "", MCC_REGISTRY_PASSWORD: "", ...env } }), `mcc ${args.join(" ")}`);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => void (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString("utf8")));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const r = await mcc(args, env);
  assert.is(r.status, 0, `mcc ${args.join(" ")}: ${r.stderr}`);
  return r;
}

const skopeo = (args: string[]) => execFileSync("skopeo", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

interface IndexJson {
  manifests: { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }[];
}
const indexOf = (layout: string) => JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as IndexJson;
const topOf = (layout: string) => indexOf(layout).manifests.find((m) => m.artifactType === undefined)!;
const blobFiles = (layout: string) => readdirSync(join(layout, "blobs", "sha256")).sort();
/** The blobs of a layout that are not manifests or indexes: what a push uploads. */
function plainBlobs(layout: string): number {
  return blobFiles(layout).filter((f) => {
    try {
      return (JSON.parse(readFileSync(join(layout, "blobs", "sha256", f), "utf8")) as { schemaVersion?: number }).schemaVersion !== 2;
    } catch {
      return true;
    }
  }).length;
}
const summary = (stderr: string) => /blobs: (\d+) pushed(?: \((\d+) in chunks\))?, (\d+) skipped \(already there\), (\d+) mounted/.exec(stderr);

/** Builds an example as the OCI tests do, in the cache they share. */
async function compile(example: string, out: string, format = "oci", arch?: string): Promise<string> {
  await ok(["compile", join(repoRoot, "examples", `${example}.yml`), "--format", format, "-o", out, "-q", ...(arch === undefined ? [] : ["--arch", arch])]);
  return out;
}

let plain: TestRegistry | undefined;
let curl = "";
let busybox = "";

test.before(async () => {
  needTools("docker-registry", "skopeo", "htpasswd", "openssl", "umoci");
  curl = await compile("curl", join(work, "curl"));
  busybox = await compile("busybox", join(work, "busybox.oci.tar"), "oci-archive", "amd64");
  plain = await startRegistry();
});

test.after(async () => {
  await plain?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("a two-platform layout is pushed (index, manifests, SBOM referrers), read by skopeo, pushed again with every blob skipped", async () => {
  const host = plain!.host;
  const built = topOf(curl);
  const first = await ok(["push", curl, `${host}/team/curl:1.0`, "--insecure"]);
  assert.is(first.stdout.trim(), `${host}/team/curl:1.0@${built.digest}`);
  const blobs = plainBlobs(curl);
  assert.equal(summary(first.stderr)?.slice(1), [String(blobs), undefined, "0", "0"], first.stderr);
  // Two images and their index; an SBOM and a provenance document for each image.
  assert.match(first.stderr, /manifests: 3 put; referrers: 4 put/);

  const raw = JSON.parse(skopeo(["inspect", "--tls-verify=false", "--raw", `docker://${host}/team/curl:1.0`])) as { mediaType: string; manifests: { platform: { architecture: string } }[] };
  assert.is(raw.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(raw.manifests.map((m) => m.platform.architecture), ["amd64", "arm64"]);
  const arm = JSON.parse(skopeo(["inspect", "--tls-verify=false", "--override-arch", "arm64", `docker://${host}/team/curl:1.0`])) as { Digest: string; Architecture: string };
  assert.is(arm.Digest, built.digest);
  assert.is(arm.Architecture, "arm64");

  // skopeo copies every platform, digests preserved, into a layout of its own.
  const copied = join(work, "curl-skopeo");
  skopeo(["copy", "--all", "--preserve-digests", "--src-tls-verify=false", `docker://${host}/team/curl:1.0`, `oci:${copied}:1.0`]);
  assert.is(topOf(copied).digest, built.digest);
  for (const f of blobFiles(copied)) assert.ok(blobFiles(curl).includes(f), `skopeo copied ${f}, which mcc did not build`);

  // Without the referrers API, each image's SBOM and provenance are listed under its sha256-<hex> tag.
  const artifacts = layoutReferrers(curl);
  const bySubject = new Map<string, string[][]>();
  for (const a of artifacts) {
    const subject = (JSON.parse(readFileSync(join(curl, "blobs", "sha256", a.digest.slice(7)), "utf8")) as { subject: { digest: string } }).subject.digest;
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), [a.digest, a.artifactType as string]]);
  }
  assert.is(bySubject.size, 2);
  for (const [subject, expected] of bySubject) {
    const listed = JSON.parse(skopeo(["inspect", "--tls-verify=false", "--raw", `docker://${host}/team/curl:${subject.replace(":", "-")}`])) as IndexJson;
    assert.equal(listed.manifests.map((m) => [m.digest, m.artifactType as string]).sort(), expected.sort());
    assert.equal(expected.map(([, type]) => type).sort(), ["application/spdx+json", "application/vnd.mcc.provenance.v2+json"]);
  }

  const second = await ok(["push", curl, `${host}/team/curl:1.0`, "--insecure"]);
  assert.is(second.stdout.trim(), `${host}/team/curl:1.0@${built.digest}`);
  assert.equal(summary(second.stderr)?.slice(1), ["0", undefined, String(blobs), "0"], second.stderr);
});

test("mcc pull writes a layout with the same digests that skopeo, umoci and mcc inspect read, SBOMs included", async () => {
  const host = plain!.host;
  await ok(["push", curl, `${host}/team/curl:1.0`, "--insecure", "-q"]);
  const pulled = join(work, "curl-pulled");
  const r = await ok(["pull", `${host}/team/curl:1.0`, pulled, "--insecure"]);
  assert.is(r.stdout.trim(), `${host}/team/curl:1.0@${topOf(curl).digest}`);
  assert.equal(blobFiles(pulled), blobFiles(curl));
  const index = indexOf(pulled);
  assert.is(topOf(pulled).digest, topOf(curl).digest);
  // One entry, named by the reference as podman names what it pulls; the referrers beside it.
  assert.equal(index.manifests.map((m) => m.annotations), [{ "org.opencontainers.image.ref.name": `${host}/team/curl:1.0` }]);
  const digests = (list: { digest: string }[]) => list.map((m) => m.digest).sort();
  assert.equal(digests(layoutReferrers(pulled)), digests(layoutReferrers(curl)));
  assert.equal(JSON.parse(readFileSync(join(pulled, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
  const seen = JSON.parse(skopeo(["inspect", `oci:${pulled}`])) as { Digest: string; Architecture: string };
  assert.is(seen.Digest, topOf(curl).digest);
  assert.ok(execFileSync("umoci", ["ls", "--layout", pulled], { encoding: "utf8" }).split("\n").includes(`${host}/team/curl:1.0`));
  const inspected = await ok(["inspect", pulled, "--arch", "arm64", "--json"]);
  const summaryJson = JSON.parse(inspected.stdout) as { arch: string; packages: { name: string }[] };
  assert.is(summaryJson.arch, "arm64");
  assert.ok(summaryJson.packages.some((p) => p.name === "curl"));

  // By digest: the same image, named by no tag.
  const byDigest = join(work, "curl-by-digest");
  await ok(["pull", `${host}/team/curl@${topOf(curl).digest}`, byDigest, "--insecure", "-q"]);
  assert.is(topOf(byDigest).digest, topOf(curl).digest);
  assert.equal(topOf(byDigest).annotations, { "org.opencontainers.image.ref.name": `${host}/team/curl` });
});

test("an oci-archive is pushed in chunks when asked, and pulled back with its digests", async () => {
  const host = plain!.host;
  const r = await ok(["push", busybox, `${host}/small/busybox`, "--insecure", "--chunk-size", "64K", "-v"]);
  const m = summary(r.stderr);
  assert.ok(m !== null && Number(m[2]) >= 1, `a blob above 64 KiB went in chunks: ${r.stderr}`);
  assert.match(r.stderr, /uploaded in chunks/);
  const digest = /@(sha256:[a-f0-9]{64})/.exec(r.stdout)?.[1];
  const unpacked = join(work, "busybox-unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xf", busybox, "-C", unpacked]);
  assert.is(digest, topOf(unpacked).digest);
  const layers = JSON.parse(skopeo(["inspect", "--tls-verify=false", `docker://${host}/small/busybox:latest`])) as { Layers: string[]; Digest: string };
  assert.is(layers.Digest, digest);
  const pulled = join(work, "busybox-pulled");
  await ok(["pull", `${host}/small/busybox`, pulled, "--insecure", "-q"]);
  assert.equal(blobFiles(pulled), blobFiles(unpacked));
  assert.equal(topOf(pulled).annotations, { "org.opencontainers.image.ref.name": `${host}/small/busybox:latest` });
  assert.match(execFileSync("oci-image-tool", ["validate", "--type", "image", "--ref", `name=${host}/small/busybox:latest`, pulled], { encoding: "utf8" }), /Validation succeeded/);
});

test("blobs already in another repository are mounted, not uploaded", async () => {
  const host = plain!.host;
  await ok(["push", curl, `${host}/team/curl:1.0`, "--insecure", "-q"]);
  const r = await ok(["push", curl, `${host}/mirror/curl:1.0`, "--insecure", "--mount-from", "team/curl"]);
  assert.equal(summary(r.stderr)?.slice(1), ["0", undefined, "0", String(plainBlobs(curl))], r.stderr);
});

test("a Docker schema 2 manifest is pulled as it is, its digest kept, and mcc inspect reads it", async () => {
  const host = plain!.host;
  skopeo(["copy", "--format", "v2s2", "--dest-tls-verify=false", `oci-archive:${busybox}`, `docker://${host}/docker/busybox:v2s2`]);
  const expected = (JSON.parse(skopeo(["inspect", "--tls-verify=false", `docker://${host}/docker/busybox:v2s2`])) as { Digest: string }).Digest;
  const pulled = join(work, "busybox-v2s2");
  const r = await ok(["pull", `${host}/docker/busybox:v2s2`, pulled, "--insecure"]);
  assert.ok(r.stdout.trim().endsWith(`@${expected}`), r.stdout);
  assert.equal([topOf(pulled).mediaType, topOf(pulled).digest], ["application/vnd.docker.distribution.manifest.v2+json", expected]);
  const inspected = JSON.parse((await ok(["inspect", pulled, "--json"])).stdout) as { entries: { path: string }[] };
  assert.ok(inspected.entries.some((e) => e.path === "/usr/bin/busybox"));
});

test("clear errors: an unknown tag, plain http to a host that is not loopback, https to a plain http registry", async () => {
  const host = plain!.host;
  const unknown = await mcc(["pull", `${host}/team/curl:no-such-tag`, join(work, "nothing"), "--insecure"]);
  assert.is(unknown.status, 1, unknown.stderr);
  assert.match(unknown.stderr, new RegExp(`error: ${host}/team/curl:no-such-tag not found: no such tag or digest`));
  const remote = await mcc(["push", curl, "192.0.2.10:5000/team/curl", "--insecure"]);
  assert.is(remote.status, 2);
  assert.match(remote.stderr, /refusing plain http to 192\.0\.2\.10:5000: --insecure is allowed only for loopback hosts/);
  const noTls = await mcc(["pull", `${host}/team/curl:1.0`, join(work, "nothing")]);
  assert.is(noTls.status, 3, noTls.stderr);
  assert.match(noTls.stderr, /did not answer TLS \(it may speak plain http\)/);
  assert.match(noTls.stderr, /hint: .*--insecure/);
  const badRef = await mcc(["pull", `${host}/Team/curl`, join(work, "nothing"), "--insecure"]);
  assert.is(badRef.status, 1);
  assert.match(badRef.stderr, /not a valid repository name/);
});

test("TLS with a self-signed certificate (--ca-file) and htpasswd Basic auth: credentials from the environment or the docker config; a wrong password fails clearly", async () => {
  const secure = await startRegistry({ tls: true, basic: { user: "mcc", password: "s3cret" } });
  try {
    const host = secure.host;
    const ca = secure.caFile!;
    const env = { MCC_REGISTRY_USERNAME: "mcc", MCC_REGISTRY_PASSWORD: "s3cret" };
    const r = await ok(["push", busybox, `${host}/secure/busybox:1`, "--ca-file", ca], env);
    const digest = /@(sha256:[a-f0-9]{64})/.exec(r.stdout)?.[1];
    const certDir = join(work, "certs");
    mkdirSync(certDir, { recursive: true });
    copyFileSync(ca, join(certDir, "ca.crt"));
    const seen = JSON.parse(skopeo(["inspect", "--cert-dir", certDir, "--creds", "mcc:s3cret", `docker://${host}/secure/busybox:1`])) as { Digest: string };
    assert.is(seen.Digest, digest);

    const dockerConfig = join(work, "docker-config");
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ auths: { [`https://${host}`]: { auth: Buffer.from("mcc:s3cret").toString("base64") } } }));
    const pulled = join(work, "secure-pulled");
    await ok(["pull", `${host}/secure/busybox:1`, pulled, "--ca-file", ca, "-q"], { DOCKER_CONFIG: dockerConfig });
    assert.is(topOf(pulled).digest, digest);

    const wrong = await mcc(["pull", `${host}/secure/busybox:1`, join(work, "nothing"), "--ca-file", ca], { MCC_REGISTRY_USERNAME: "mcc", MCC_REGISTRY_PASSWORD: "wrong" });
    assert.is(wrong.status, 1, wrong.stderr);
    assert.match(wrong.stderr, new RegExp(`error: authentication failed for ${host.replace(/\./g, "\\.")} \\(check credentials: from MCC_REGISTRY_USERNAME and MCC_REGISTRY_PASSWORD\\)`));
    const none = await mcc(["push", busybox, `${host}/secure/busybox:1`, "--ca-file", ca]);
    assert.is(none.status, 1, none.stderr);
    assert.match(none.stderr, /authentication failed for .* the registry asks for a user name and password/);
    const helper = join(work, "docker-helper");
    mkdirSync(helper, { recursive: true });
    writeFileSync(join(helper, "config.json"), JSON.stringify({ auths: { [host]: {} }, credsStore: "secretservice" }));
    const helped = await mcc(["pull", `${host}/secure/busybox:1`, join(work, "nothing"), "--ca-file", ca], { DOCKER_CONFIG: helper });
    assert.is(helped.status, 1);
    assert.match(helped.stderr, /credential helper docker-credential-secretservice, which mcc does not run/);
    const untrusted = await mcc(["pull", `${host}/secure/busybox:1`, join(work, "nothing")], env);
    assert.is(untrusted.status, 3);
    assert.match(untrusted.stderr, /TLS verification of .* failed/);
    assert.match(untrusted.stderr, /hint: pass the registry's CA certificate with --ca-file/);
  } finally {
    await secure.stop();
  }
});

test("Bearer tokens: docker-registry with token auth and a token server; one token per set of scopes; a wrong password fails clearly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcc-token-"));
  let tokens: TokenServer | undefined;
  let registry: TestRegistry | undefined;
  try {
    tokens = await startTokenServer(dir, "mcc-test-registry", "mcc-test-issuer", "robot", "t0ken-pass");
    registry = await startRegistry({ token: { realm: tokens.realm, service: "mcc-test-registry", issuer: "mcc-test-issuer", certFile: tokens.certFile } });
    const env = { MCC_REGISTRY_USERNAME: "robot", MCC_REGISTRY_PASSWORD: "t0ken-pass" };
    const r = await ok(["push", curl, `${registry.host}/tokens/curl:1.0`, "--insecure"], env);
    assert.is(r.stdout.trim(), `${registry.host}/tokens/curl:1.0@${topOf(curl).digest}`);
    assert.ok(tokens.requests.length > 0, "tokens were asked for");
    assert.equal(tokens.requests.length, new Set(tokens.requests).size, `each set of scopes is asked for once: ${tokens.requests.join(" | ")}`);
    assert.ok(tokens.requests.includes("repository:tokens/curl:pull,push"), tokens.requests.join(" | "));
    const pulled = join(work, "token-pulled");
    await ok(["pull", `${registry.host}/tokens/curl:1.0`, pulled, "--insecure", "-q"], env);
    assert.equal(blobFiles(pulled), blobFiles(curl));
    const wrong = await mcc(["pull", `${registry.host}/tokens/curl:1.0`, join(work, "nothing"), "--insecure"], { ...env, MCC_REGISTRY_PASSWORD: "nope" });
    assert.is(wrong.status, 1, wrong.stderr);
    assert.match(wrong.stderr, /authentication failed for 127\.0\.0\.1:\d+ \(check credentials/);
  } finally {
    await registry?.stop();
    await tokens?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
