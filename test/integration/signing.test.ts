// Signed images that real clients verify: mcc pushes and signs (containers' simple signing, a
// lookaside directory) with a key mcc made and with one gpg made; skopeo, under a policy.json
// that requires the key and a registries.d naming the lookaside, accepts the signed image and
// refuses an unsigned one, one signed by another key, one whose signature names another
// repository, and the signed one after a byte of its config blob changed in the registry's
// storage. podman, under the same policy, agrees; so does mcc verify on every case, and pull
// --verify writes nothing when it refuses. Debian's docker-registry on loopback; gpg in a GNUPGHOME of the test's.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { startRegistry, type TestRegistry } from "../support/registry-server.js";
import { needTools } from "../support/tools.js";

interface Context {
  work: string;
  registry: TestRegistry;
  archive: string;
  /** The config blob's digest of the image (tampered with last). */
  config: string;
}
const test = suite<Context>("signing", {} as Context);
const bin = join(repoRoot, "dist", "cli", "main.js");

function mcc(ctx: Context, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ctx.work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache, ...env }, timeout: 5 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(ctx: Context, args: string[], env: Record<string, string> = {}): string {
  const r = mcc(ctx, args, env);
  assert.is(r.code, 0, `mcc ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A command run without blocking this process (a server of the test's answers meanwhile), with a timeout. */
function runAsync(command: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, MCC_CACHE: sharedTestCache }, timeout: 3 * 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

/** The policy and registries.d files skopeo reads for `key` and `lookaside` (a directory or a URL). */
function skopeoConfig(ctx: Context, key: string, lookaside: string): string[] {
  const dir = mkdtempSync(join(ctx.work, "skopeo-"));
  writeFileSync(join(dir, "policy.json"), JSON.stringify({ default: [{ type: "reject" }], transports: { docker: { [ctx.registry.host]: [{ type: "signedBy", keyType: "GPGKeys", keyPath: key }] } } }));
  mkdirSync(join(dir, "registries.d"));
  writeFileSync(join(dir, "registries.d", "default.yaml"), `default-docker:\n  lookaside: ${/^https?:/.test(lookaside) ? lookaside : `file://${lookaside}`}\n`);
  return ["copy", "--src-tls-verify=false", "--policy", join(dir, "policy.json"), "--registries.d", join(dir, "registries.d")];
}

/** skopeo copying REF out under a policy that requires `key` and reads signatures from `lookaside`. */
function skopeo(ctx: Context, ref: string, key: string, lookaside: string): { code: number | null; stderr: string } {
  const r = spawnSync("skopeo", [...skopeoConfig(ctx, key, lookaside), `docker://${ref}`, `dir:${mkdtempSync(join(ctx.work, "copy-"))}/image`], { encoding: "utf8", timeout: 3 * 60_000 });
  return { code: r.status, stderr: r.stderr };
}

/**
 * podman pulling REF under the same policy: `--signature-policy`, and the lookaside in a
 * registries.d under a HOME of the test's; its own storage (vfs), removed with the work dir.
 */
function podman(ctx: Context, ref: string, key: string, lookaside: string): { code: number | null; stderr: string } {
  const home = mkdtempSync(join(ctx.work, "home-"));
  mkdirSync(join(home, ".config", "containers", "registries.d"), { recursive: true });
  writeFileSync(join(home, ".config", "containers", "registries.d", "default.yaml"), `default-docker:\n  lookaside: file://${lookaside}\n`);
  writeFileSync(join(home, "policy.json"), JSON.stringify({ default: [{ type: "reject" }], transports: { docker: { [ctx.registry.host]: [{ type: "signedBy", keyType: "GPGKeys", keyPath: key }] } } }));
  writeFileSync(join(home, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${join(ctx.work, "podman", "storage")}"\nrunroot = "${join(ctx.work, "podman", "run")}"\n`);
  const r = spawnSync("podman", ["pull", "--tls-verify=false", "--signature-policy", join(home, "policy.json"), ref], {
    encoding: "utf8",
    env: { ...process.env, HOME: home, CONTAINERS_STORAGE_CONF: join(home, "storage.conf") },
    timeout: 3 * 60_000,
  });
  return { code: r.status, stderr: r.stderr };
}

/** Every client refuses: skopeo and podman with their message, mcc verify with exit 3 and its reason. */
function allRefuse(ctx: Context, ref: string, lookaside: string, skopeoSays: RegExp, mccSays: RegExp) {
  const s = skopeo(ctx, ref, join(ctx.work, "mcc.pub"), lookaside);
  assert.ok(s.code !== 0, `skopeo accepted ${ref}`);
  assert.match(s.stderr, skopeoSays);
  const p = podman(ctx, ref, join(ctx.work, "mcc.pub"), lookaside);
  assert.ok(p.code !== 0, `podman accepted ${ref}`);
  assert.match(p.stderr, skopeoSays, `podman: ${p.stderr}`);
  const v = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", lookaside]);
  assert.is(v.code, 3, v.stderr);
  assert.match(v.stderr, mccSays);
  assert.is(v.stdout, "");
}

test.before((ctx) => {
  needTools("skopeo", "podman", "gpg", "docker-registry", "openssl");
});

test.before(async (ctx) => {
  ctx.work = mkdtempSync(join(tmpdir(), "mcc-signing-"));
  ctx.registry = await startRegistry();
  ctx.archive = join(ctx.work, "hello.oci.tar");
  const r = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", "hello.yml"), "--format", "oci-archive", "-o", ctx.archive, "--arch", "amd64", "-q"], {
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedTestCache },
    timeout: 10 * 60_000,
  });
  assert.is(r.status, 0, r.stderr);
  ok(ctx, ["keygen", "-o", "mcc"]);
  ok(ctx, ["keygen", "-o", "other"]);
});

test.after(async (ctx) => {
  await ctx.registry?.stop();
  if (ctx.work !== undefined) rmSync(ctx.work, { recursive: true, force: true });
});

test("a key made by mcc keygen: the pushed, signed image is accepted by skopeo and by mcc verify", (ctx) => {
  const look = join(ctx.work, "look");
  const ref = `${ctx.registry.host}/team/hello:1`;
  ok(ctx, ["push", ctx.archive, ref, "--insecure", "--sign", "mcc.key", "--lookaside", look]);
  const dirs = readdirSync(join(look, "team"));
  assert.is(dirs.length, 1);
  assert.match(dirs[0] as string, /^hello@sha256=[0-9a-f]{64}$/);
  const s = skopeo(ctx, ref, join(ctx.work, "mcc.pub"), look);
  assert.is(s.code, 0, s.stderr);
  const p = podman(ctx, ref, join(ctx.work, "mcc.pub"), look);
  assert.is(p.code, 0, p.stderr);
  const pinned = ok(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look]).trim();
  assert.match(pinned, new RegExp(`^${ref.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}$`));
  // pull --verify writes the verified image.
  ok(ctx, ["pull", ref, "pulled", "--insecure", "--verify", "mcc.pub", "--lookaside", look]);
  assert.ok(existsSync(join(ctx.work, "pulled", "index.json")));
  const manifest = JSON.parse(readFileSync(join(ctx.work, "pulled", "blobs", "sha256", pinned.split("sha256:")[1] as string), "utf8")) as { config: { digest: string } };
  ctx.config = manifest.config.digest;
});

test("the SBOM and provenance are attested with the same key: verify --attestations checks each, and refuses a missing or changed one", (ctx) => {
  const look = join(ctx.work, "look");
  const ref = `${ctx.registry.host}/team/hello:1`;
  const v = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look, "--attestations"]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stderr, /2 SBOM and provenance documents attested/);
  const [dir] = readdirSync(join(look, "team")).filter((d) => d.startsWith("hello@"));
  const attestations = readdirSync(join(look, "team", dir as string)).filter((f) => f.startsWith("attestation-"));
  assert.equal(attestations, ["attestation-1", "attestation-2"]);
  // Signing again adds no second copy of what is attested already.
  ok(ctx, ["sign", ref, "mcc.key", "--insecure", "--lookaside", look]);
  assert.is(readdirSync(join(look, "team", dir as string)).filter((f) => f.startsWith("attestation-")).length, 2);

  // A lookaside with the signature but one attestation changed (its statement's predicate) or gone.
  const bent = join(ctx.work, "look-bent");
  cpSync(look, bent, { recursive: true });
  const file = join(bent, "team", dir as string, "attestation-1");
  const envelope = JSON.parse(readFileSync(file, "utf8")) as { payload: string };
  const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as { predicate: Record<string, unknown> };
  statement.predicate["name"] = "something else";
  envelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
  writeFileSync(file, JSON.stringify(envelope));
  const changed = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", bent, "--attestations"]);
  assert.is(changed.code, 3, changed.stderr);
  assert.match(changed.stderr, /is not attested by the key: attestation-1: its signature does not verify/);
  rmSync(join(bent, "team", dir as string, "attestation-1"));
  rmSync(join(bent, "team", dir as string, "attestation-2"));
  const gone = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", bent, "--attestations"]);
  assert.is(gone.code, 3, gone.stderr);
  assert.match(gone.stderr, /there is no attestation in the lookaside/);
  // The image's own signature still verifies without --attestations.
  ok(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", bent]);
});

test("a lookaside served over http: skopeo and mcc verify read the signatures by URL", async (ctx) => {
  const look = join(ctx.work, "look");
  // A plain static file server over the lookaside directory, on loopback.
  const server = createServer((req, res) => {
    const path = join(look, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (!path.startsWith(look) || !existsSync(path) || !statSync(path).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(path));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ref = `${ctx.registry.host}/team/hello:1`;
    const v = await runAsync(process.execPath, [bin, "verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", url, "--attestations"], ctx.work);
    assert.is(v.code, 0, v.stderr);
    const s = await runAsync("skopeo", [...skopeoConfig(ctx, join(ctx.work, "mcc.pub"), url), `docker://${ref}`, `dir:${join(ctx.work, "copy-http")}`], ctx.work);
    assert.is(s.code, 0, s.stderr);
    const pushed = await runAsync(process.execPath, [bin, "push", ctx.archive, `${ctx.registry.host}/team/unsigned-http:1`, "--insecure"], ctx.work);
    assert.is(pushed.code, 0, pushed.stderr);
    const unsigned = await runAsync(process.execPath, [bin, "verify", `${ctx.registry.host}/team/unsigned-http:1`, "--insecure", "--key", "mcc.pub", "--lookaside", url], ctx.work);
    assert.is(unsigned.code, 3, unsigned.stderr);
    assert.match(unsigned.stderr, /has no signature in http:/);
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
});

test("a hostile lookaside that sends without end is refused at 64 MiB, with exit 3", async (ctx) => {
  const chunk = Buffer.alloc(1 << 20, 0x41);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    const more = () => {
      while (res.write(chunk));
    };
    res.on("drain", more);
    req.on("close", () => res.destroy());
    more();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const v = await runAsync(process.execPath, [bin, "verify", `${ctx.registry.host}/team/hello:1`, "--insecure", "--key", "mcc.pub", "--lookaside", url], ctx.work);
    assert.is(v.code, 3, v.stderr);
    assert.match(v.stderr, /holds more than 64 MiB of signatures/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

test("a layout signed before it is pushed (--identity): skopeo and podman accept the pushed image; mcc verify checks the layout itself", (ctx) => {
  const look = join(ctx.work, "look-offline");
  const ref = `${ctx.registry.host}/team/offline:2`;
  ok(ctx, ["sign", ctx.archive, "mcc.key", "--identity", ref, "--lookaside", look]);
  const local = mcc(ctx, ["verify", ctx.archive, "--key", "mcc.pub", "--identity", ref, "--lookaside", look, "--attestations"]);
  assert.is(local.code, 0, local.stderr);
  assert.match(local.stdout, /^sha256:[0-9a-f]{64}\n$/);
  // Signed for one reference, not another.
  const elsewhere = mcc(ctx, ["verify", ctx.archive, "--key", "mcc.pub", "--identity", `${ctx.registry.host}/team/offline:3`, "--lookaside", look]);
  assert.is(elsewhere.code, 3);
  assert.match(elsewhere.stderr, /signed for \S+:2, not \S+:3/);
  const noIdentity = mcc(ctx, ["verify", ctx.archive, "--key", "mcc.pub", "--lookaside", look]);
  assert.is(noIdentity.code, 1);
  assert.match(noIdentity.stderr, /give --identity REF/);
  // Pushed afterwards, without a key on the pushing machine: the clients find the signatures.
  ok(ctx, ["push", ctx.archive, ref, "--insecure"]);
  assert.is(skopeo(ctx, ref, join(ctx.work, "mcc.pub"), look).code, 0);
  assert.is(podman(ctx, ref, join(ctx.work, "mcc.pub"), look).code, 0);
  ok(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look, "--attestations"]);
  // A layout whose layer changed no longer verifies.
  const layout = join(ctx.work, "offline-layout");
  ok(ctx, ["pull", ref, layout, "--insecure"]);
  const verifiedLayout = mcc(ctx, ["verify", layout, "--key", "mcc.pub", "--identity", ref, "--lookaside", look]);
  assert.is(verifiedLayout.code, 0, verifiedLayout.stderr);
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", (index.manifests[0]?.digest ?? "").slice(7)), "utf8")) as { layers: { digest: string }[] };
  const layer = join(layout, "blobs", "sha256", (manifest.layers[0]?.digest ?? "").slice(7));
  const bytes = readFileSync(layer);
  bytes[100] = (bytes[100] as number) ^ 0x01;
  writeFileSync(layer, bytes);
  const bent = mcc(ctx, ["verify", layout, "--key", "mcc.pub", "--identity", ref, "--lookaside", look]);
  assert.is(bent.code, 3, bent.stderr);
  assert.match(bent.stderr, /blob sha256:[0-9a-f]+ does not match its digest/);
});

test("a two-architecture image: the index and each platform's manifest are signed; skopeo and mcc verify accept it", (ctx) => {
  const archive = join(ctx.work, "httpd.oci.tar");
  const r = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", "busybox-httpd.yml"), "--format", "oci-archive", "-o", archive, "-q"], {
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedTestCache },
    timeout: 10 * 60_000,
  });
  assert.is(r.status, 0, r.stderr);
  const look = join(ctx.work, "look-index");
  const ref = `${ctx.registry.host}/team/httpd:1.36`;
  ok(ctx, ["push", archive, ref, "--insecure", "--sign", "mcc.key", "--lookaside", look]);
  assert.is(readdirSync(join(look, "team")).length, 3);
  assert.is(skopeo(ctx, ref, join(ctx.work, "mcc.pub"), look).code, 0);
  const v = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stderr, /3 manifests and \d+ blobs match their digests/);
  const attested = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look, "--attestations"]);
  assert.is(attested.code, 0, attested.stderr);
  assert.match(attested.stderr, /4 SBOM and provenance documents attested/);
});

test("a key made by gpg (and protected by a passphrase) signs what skopeo and mcc verify with its public key", (ctx) => {
  const home = join(ctx.work, "gnupg");
  mkdirSync(home, { mode: 0o700 });
  const gpg = (args: string[]) => execFileSync("gpg", ["--homedir", home, "--batch", ...args], { timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
  gpg(["--passphrase", "correct horse", "--pinentry-mode", "loopback", "--quick-gen-key", "Signer <signer@example.org>", "default", "default", "never"]);
  writeFileSync(join(ctx.work, "gpg.key"), gpg(["--passphrase", "correct horse", "--pinentry-mode", "loopback", "--armor", "--export-secret-keys"]));
  writeFileSync(join(ctx.work, "gpg.pub"), gpg(["--export"]));
  writeFileSync(join(ctx.work, "passphrase"), "correct horse\n");
  const look = join(ctx.work, "look-gpg");
  const ref = `${ctx.registry.host}/team/hello-gpg:1`;
  // Without the passphrase: refused before anything is pushed.
  const locked = mcc(ctx, ["push", ctx.archive, ref, "--insecure", "--sign", "gpg.key", "--lookaside", look]);
  assert.is(locked.code, 1);
  assert.match(locked.stderr, /protected by a passphrase/);
  assert.not.ok(existsSync(look));
  ok(ctx, ["push", ctx.archive, ref, "--insecure", "--sign", "gpg.key", "--lookaside", look, "--passphrase-file", "passphrase"]);
  assert.is(skopeo(ctx, ref, join(ctx.work, "gpg.pub"), look).code, 0);
  ok(ctx, ["verify", ref, "--insecure", "--key", "gpg.pub", "--lookaside", look]);
  // The same signature does not pass for mcc's key.
  const other = mcc(ctx, ["verify", ref, "--insecure", "--key", "mcc.pub", "--lookaside", look]);
  assert.is(other.code, 3);
});

test("an unsigned image is refused by skopeo, podman and mcc verify", (ctx) => {
  const ref = `${ctx.registry.host}/team/unsigned:1`;
  ok(ctx, ["push", ctx.archive, ref, "--insecure"]);
  allRefuse(ctx, ref, join(ctx.work, "look"), /A signature was required, but no signature exists/, /refused: .* has no signature in/);
  // pull --verify writes nothing.
  const pulled = mcc(ctx, ["pull", ref, "nothing", "--insecure", "--verify", "mcc.pub", "--lookaside", join(ctx.work, "look")]);
  assert.is(pulled.code, 3);
  assert.not.ok(existsSync(join(ctx.work, "nothing")));
});

test("an image signed by another key is refused by skopeo, podman and mcc verify", (ctx) => {
  const look = join(ctx.work, "look-other");
  const ref = `${ctx.registry.host}/team/other:1`;
  ok(ctx, ["push", ctx.archive, ref, "--insecure", "--sign", "other.key", "--lookaside", look]);
  allRefuse(ctx, ref, look, /Source image rejected: Invalid GPG signature/, /signature-1: it was made by a key that is not in the keyring/);
});

test("a signature made for another repository is refused by skopeo, podman and mcc verify, though the digest is the same", (ctx) => {
  const look = join(ctx.work, "look");
  const ref = `${ctx.registry.host}/team/copy:1`;
  ok(ctx, ["push", ctx.archive, ref, "--insecure"]);
  // The signature of team/hello, put where team/copy's would be.
  const [signed] = readdirSync(join(look, "team")).filter((d) => d.startsWith("hello@"));
  cpSync(join(look, "team", signed as string), join(look, "team", (signed as string).replace(/^hello@/, "copy@")), { recursive: true });
  allRefuse(ctx, ref, look, /Signature for identity \S+\/team\/hello:1 is not accepted/, /signed for \S+\/team\/hello:1, not \S+\/team\/copy:1/);
});

test("mcc minify of a registry image with --verify: the signed image is minified, an unsigned one refused before anything is pulled", (ctx) => {
  const look = join(ctx.work, "look");
  const out = join(ctx.work, "minified");
  const done = mcc(ctx, ["minify", `${ctx.registry.host}/team/hello:1`, "--insecure", "--verify", "mcc.pub", "--lookaside", look, "-o", out, "-q"]);
  assert.is(done.code, 0, done.stderr);
  assert.ok(existsSync(join(out, "index.json")));
  const refused = mcc(ctx, ["minify", `${ctx.registry.host}/team/unsigned:1`, "--insecure", "--verify", "mcc.pub", "--lookaside", look, "-o", join(ctx.work, "not-minified"), "-q"]);
  assert.is(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /refused: .* has no signature/);
  assert.not.ok(existsSync(join(ctx.work, "not-minified")));
});

test("cosign's format: a PEM ECDSA key signs under the sha256-HEX.sig tag; openssl verifies the signature on its own, mcc verify accepts and refuses", (ctx) => {
  ok(ctx, ["keygen", "--cosign", "-o", "cosign"]);
  ok(ctx, ["keygen", "--cosign", "-o", "cosign-other"]);
  const ref = `${ctx.registry.host}/team/cosigned:1`;
  const pinned = ok(ctx, ["push", ctx.archive, ref, "--insecure", "--sign", "cosign.key"]).trim();
  const digest = pinned.split("@")[1] as string;
  ok(ctx, ["verify", ref, "--insecure", "--key", "cosign.pub"]);
  const other = mcc(ctx, ["verify", ref, "--insecure", "--key", "cosign-other.pub"]);
  assert.is(other.code, 3);
  assert.match(other.stderr, /no cosign signature of .* verifies with the key/);
  const unsigned = `${ctx.registry.host}/team/cosign-unsigned:1`;
  ok(ctx, ["push", ctx.archive, unsigned, "--insecure"]);
  const none = mcc(ctx, ["verify", unsigned, "--insecure", "--key", "cosign.pub"]);
  assert.is(none.code, 3);
  assert.match(none.stderr, /has no cosign signature \(no sha256-[0-9a-f]+\.sig tag\)/);

  // The signature object, read by skopeo and checked by openssl: cosign's layout, a valid ECDSA signature.
  const tag = `${digest.replace(":", "-")}.sig`;
  const copied = join(ctx.work, "cosign-sig");
  execFileSync("skopeo", ["copy", "--src-tls-verify=false", "--insecure-policy", `docker://${ctx.registry.host}/team/cosigned:${tag}`, `dir:${copied}`], { timeout: 120_000, stdio: "pipe" });
  const manifest = JSON.parse(readFileSync(join(copied, "manifest.json"), "utf8")) as { layers: { mediaType: string; digest: string; annotations: Record<string, string> }[] };
  assert.is(manifest.layers.length, 1);
  const layer = manifest.layers[0] as { mediaType: string; digest: string; annotations: Record<string, string> };
  assert.is(layer.mediaType, "application/vnd.dev.cosign.simplesigning.v1+json");
  const payload = join(copied, layer.digest.slice(7));
  const claim = JSON.parse(readFileSync(payload, "utf8")) as { critical: { type: string; image: { "docker-manifest-digest": string } } };
  assert.is(claim.critical.type, "cosign container image signature");
  assert.is(claim.critical.image["docker-manifest-digest"], digest);
  writeFileSync(join(ctx.work, "cosign.sig.der"), Buffer.from(layer.annotations["dev.cosignproject.cosign/signature"] as string, "base64"));
  const checked = execFileSync("openssl", ["dgst", "-sha256", "-verify", join(ctx.work, "cosign.pub"), "-signature", join(ctx.work, "cosign.sig.der"), payload], { encoding: "utf8", timeout: 30_000 });
  assert.match(checked, /Verified OK/);
  // Signing again adds no second copy of the same signature object.
  ok(ctx, ["sign", ref, "cosign.key", "--insecure"]);
  const again = JSON.parse(execFileSync("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ctx.registry.host}/team/cosigned:${tag}`], { encoding: "utf8", timeout: 60_000 })) as { layers: unknown[] };
  assert.is(again.layers.length, 1);
  // Another key's signature is added beside it, and each key then verifies.
  ok(ctx, ["sign", ref, "cosign-other.key", "--insecure"]);
  const both = JSON.parse(execFileSync("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ctx.registry.host}/team/cosigned:${tag}`], { encoding: "utf8", timeout: 60_000 })) as { layers: unknown[] };
  assert.is(both.layers.length, 2);
  ok(ctx, ["verify", ref, "--insecure", "--key", "cosign-other.pub"]);
  ok(ctx, ["verify", ref, "--insecure", "--key", "cosign.pub"]);
});

test("bad input is one line and exit 1, never a crash: a key that is not one, a lookaside that is a file, keys into no directory, --sign without --lookaside", (ctx) => {
  writeFileSync(join(ctx.work, "not-a-key"), "hello\n");
  const cases: [string[], RegExp][] = [
    [["sign", ctx.archive, "not-a-key", "--identity", `${ctx.registry.host}/team/x:1`, "--lookaside", "l"], /the signing key not-a-key: it is not an OpenPGP private key/],
    [["verify", ctx.archive, "--key", "not-a-key", "--identity", `${ctx.registry.host}/team/x:1`, "--lookaside", "l"], /the key not-a-key: it is not an OpenPGP public key or keyring/],
    [["sign", ctx.archive, "mcc.key", "--identity", `${ctx.registry.host}/team/x:1`, "--lookaside", "not-a-key"], /cannot write .*not-a-key\/team\/x@sha256=[0-9a-f]+: a part of the path is a file/],
    [["keygen", "-o", join(ctx.work, "no", "such", "dir", "k")], /the directory .* does not exist/],
    [["push", ctx.archive, `${ctx.registry.host}/team/x:1`, "--insecure", "--sign", "mcc.key"], /--sign needs --lookaside DIR/],
    [["sign", ctx.archive, "mcc.key", "--lookaside", "l"], /is a local image: give --identity REF/],
  ];
  for (const [args, says] of cases) {
    const r = mcc(ctx, args);
    assert.is(r.code, 1, `mcc ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, says);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

test("the signed image after a byte of its config blob changed in the registry's storage is refused by skopeo, podman and mcc verify", (ctx) => {
  const hex = ctx.config.slice("sha256:".length);
  const data = join(ctx.registry.dir, "data", "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
  const bytes = readFileSync(data);
  bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0x20;
  writeFileSync(data, bytes);
  allRefuse(ctx, `${ctx.registry.host}/team/hello:1`, join(ctx.work, "look"), /config.json digest sha256:[0-9a-f]+ does not match expected/, /blob sha256:[0-9a-f]+ from \S+ does not match its digest/);
});

test.run();
