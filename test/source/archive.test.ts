// The source stage against a real (small, local) signed archive: resolution through the
// verified chain, the lock file, the cache, offline mode, and every tampering refused.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { assertSourceGolden } from "../support/golden.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { createBlobStore } from "../../src/cache/store.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runMain } from "../../src/cli/program.js";
import { packageFiles, unpackDeb } from "../../src/extract/unpack.js";
import { parseLock } from "../../src/resolve/lock.js";
import { captureIo } from "../support/io.js";
import { createTestArchive, TEST_RELEASE, type TestArchive } from "../support/test-archive.js";

const test = suite<{ archive: TestArchive; work: string }>("source", {} as { archive: TestArchive; work: string });

test.before(async (ctx) => {
  const work = mkdtempSync(join(tmpdir(), "mcc-static-"));
  execFileSync("gcc", ["-static", "-o", join(work, "app"), "-x", "c", "-"], { input: 'int puts(const char*); int main(void){puts("static app");return 0;}' });
  const staticApp = readFileSync(join(work, "app"));
  rmSync(work, { recursive: true, force: true });
  ctx.archive = await createTestArchive([
    { name: "static-app", version: "1.0", files: { "/usr/bin/app": staticApp } },
    { name: "hello", version: "1.0-1", depends: "libhello1 (>= 1.0), libc-test | libc-alt", files: { "/usr/bin/hello": "#!hello\n" } },
    { name: "libhello1", version: "1.0-1" },
    { name: "libhello1", version: "1.1-1", suite: "updates" },
    { name: "libc-test", version: "2.0-1", provides: "libc-virtual (= 2.0)", compression: "zstd" },
    { name: "libc-alt", version: "3.0-1", compression: "gzip" },
    { name: "needs-virtual", version: "1", depends: "libc-virtual (>= 1.5)", compression: "none" },
    { name: "secure", version: "1.0-1+sec1", suite: "security", depends: "libhello1" },
    { name: "broken", version: "1", depends: "libhello1 (>= 9) | libc-alt (<< 1)" },
    { name: "awk-one", version: "1", provides: "awk" },
    { name: "awk-two", version: "1", provides: "awk" },
    { name: "essential-thing", version: "1", essential: true, priority: "required" },
    { name: "all-arch", version: "1", arch: "all", preDepends: "hello" },
    { name: "needs-new", version: "1", depends: "libhello1 (>= 1.1)" },
    { name: "wants-new", version: "1", depends: "needs-new" },
  ]);
  ctx.work = mkdtempSync(join(tmpdir(), "mcc-source-"));
});

test.after(async (ctx) => {
  await ctx.archive.close();
  rmSync(ctx.work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}


let specCount = 0;
async function mcc(ctx: { archive: TestArchive; work: string }, packages: string[], args: string[], opts: { keyring?: string; dir?: string; executable?: string } = {}): Promise<Run & { spec: string; dir: string }> {
  const dir = opts.dir ?? mkdtempSync(join(ctx.work, `spec${specCount++}-`));
  const spec = join(dir, "spec.yml");
  writeFileSync(
    spec,
    `name: t\nfrom:\n  release: ${TEST_RELEASE}\n  archs: [amd64]\n  mirror: ${ctx.archive.url}\n  keyring: ${opts.keyring ?? ctx.archive.keyring}\npackages:\n${packages.map((p) => `  - "${p}"`).join("\n")}\nexecutable: ${opts.executable ?? "/usr/bin/hello"}\n`,
  );
  const { io, out } = captureIo();
  const code = await runMain([...args.slice(0, 1), spec, "--cache", join(dir, "cache"), ...args.slice(1)], io);
  return { code, ...out, spec, dir };
}

function lockOf(run: { spec: string }) {
  const lock = parseLock(readFileSync(run.spec.replace(/\.yml$/, ".lock.json"), "utf8"));
  assert.ok(lock, "a lock was written");
  return lock;
}

test("resolves through alternatives, virtual packages, suites and the security archive", async (ctx) => {
  const run = await mcc(ctx, ["hello", "needs-virtual", "secure", "all-arch"], ["lock"]);
  assert.is(run.stderr.includes("error"), false, run.stderr);
  assert.is(run.code, EXIT.ok);
  const pkgs = lockOf(run).archs["amd64"]?.packages ?? [];
  assert.equal(
    pkgs.map((p) => `${p.name} ${p.version} ${p.archive}/${p.suite} ${p.reason}`),
    [
      "all-arch 1 mirror/testrel requested",
      "hello 1.0-1 mirror/testrel requested",
      "libc-test 2.0-1 mirror/testrel hello: libc-test | libc-alt",
      "libhello1 1.1-1 mirror/testrel-updates hello: libhello1 (>= 1.0)",
      "needs-virtual 1 mirror/testrel requested",
      "secure 1.0-1+sec1 security/testrel-security requested",
    ],
  );
  // Essential packages come only when something needs them; here nothing does.
  assert.not.ok(pkgs.some((p) => p.name === "essential-thing"));
  // Each index in the form read: gzip where the Release lists it, xz where it does not.
  assert.equal(
    lockOf(run).archs["amd64"]?.indexes.map((i) => `${i.suite} ${i.path}`),
    ["testrel main/binary-amd64/Packages.gz", "testrel-updates main/binary-amd64/Packages.gz", "testrel-security main/binary-amd64/Packages.xz"],
  );
});

test("the lock is byte-identical on a second resolution, and a current lock needs no network", async (ctx) => {
  const first = await mcc(ctx, ["hello"], ["lock"]);
  const bytes = readFileSync(first.spec.replace(/\.yml$/, ".lock.json"));
  const again = await mcc(ctx, ["hello"], ["lock", "--update"], { dir: first.dir });
  assert.match(again.stdout, /unchanged/);
  assert.equal(readFileSync(first.spec.replace(/\.yml$/, ".lock.json")), bytes);
  const before = [...ctx.archive.hits.values()].reduce((a, b) => a + b, 0);
  const third = await mcc(ctx, ["hello"], ["lock"], { dir: first.dir });
  assert.match(third.stdout, /is current/);
  assert.is([...ctx.archive.hits.values()].reduce((a, b) => a + b, 0), before, "a current lock asks the mirror nothing");
});

test("--check says when only the indexes the lock names have moved", async (ctx) => {
  const run = await mcc(ctx, ["hello"], ["lock"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  const path = run.spec.replace(/\.yml$/, ".lock.json");
  // As if locked against an earlier state of the archive that gave the same packages.
  const lock = JSON.parse(readFileSync(path, "utf8")) as { archs: Record<string, { indexes: { sha256: string }[] }> };
  const index = lock.archs["amd64"]?.indexes[0];
  assert.ok(index);
  index.sha256 = "0".repeat(64);
  writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
  const check = await mcc(ctx, ["hello"], ["lock", "--check"], { dir: run.dir });
  assert.is(check.code, EXIT.userError);
  assert.match(check.stderr, /is stale \(the same packages, from other indexes of the archive\); run mcc lock --update/);
});

test("--frozen refuses a missing or stale lock", async (ctx) => {
  const missing = await mcc(ctx, ["hello"], ["lock", "--frozen"]);
  assert.is(missing.code, EXIT.userError);
  assert.match(missing.stderr, /MCC410/);
  await mcc(ctx, ["hello"], ["lock"], { dir: missing.dir });
  const stale = await mcc(ctx, ["hello", "libc-alt"], ["lock", "--frozen"], { dir: missing.dir });
  assert.is(stale.code, EXIT.userError);
  assert.match(stale.stderr, /MCC411/);
  const relocked = await mcc(ctx, ["hello", "libc-alt"], ["lock", "-q"], { dir: missing.dir });
  assert.is(relocked.code, EXIT.ok);
  const shown = await mcc(ctx, ["hello"], ["lock"], { dir: missing.dir });
  assert.match(shown.stdout, /written \(the previous lock did not match the spec\)/);
  const ok = await mcc(ctx, ["hello"], ["lock", "--frozen"], { dir: missing.dir });
  assert.is(ok.code, EXIT.ok, ok.stderr);
});

test("resolution problems point at the spec's package entries", async (ctx) => {
  const run = await mcc(ctx, ["helo", "hello=0.9", "awk", "broken"], ["lock", "-q"]);
  assert.is(run.code, EXIT.userError);
  const text = run.stderr.split("\n").map((l) => l.replace(/^.*spec\.yml/, "spec.yml")).join("\n");
  assertSourceGolden("resolve-problems", text);
  assert.match(text, /spec\.yml:8:5: error MCC400: no package "helo" in the archive \(did you mean "hello"\?\)/);
  assert.match(text, /spec\.yml:9:5: note: available: 1\.0-1/);
  assert.match(text, /error MCC403: cannot install "broken": broken 1 depends on libhello1 \(>= 9\) \| libc-alt \(<< 1\), but for libhello1 only 1\.1-1 is available; for libc-alt only 3\.0-1 is available/);
});

test("a pin that conflicts with a dependency explains the chain", async (ctx) => {
  const run = await mcc(ctx, ["libhello1=1.0-1", "wants-new"], ["lock", "-q"]);
  assert.is(run.code, EXIT.userError);
  const text = run.stderr.split("\n").map((l) => l.replace(/^.*spec\.yml/, "spec.yml")).join("\n");
  assertSourceGolden("resolve-pin-conflict", text);
});

test("fetch downloads, verifies and unpacks every package; a second fetch and --offline use the cache", async (ctx) => {
  const run = await mcc(ctx, ["hello", "needs-virtual", "libc-alt"], ["fetch"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  assert.match(run.stdout, /5 packages \(5 fetched, 0 from the cache\)/);
  const store = createBlobStore(createNodeHost(), join(run.dir, "cache"));
  const lock = lockOf(run);
  const hello = lock.archs["amd64"]?.packages.find((p) => p.name === "hello");
  assert.ok(hello);
  const manifest = await unpackDeb(store, hello.sha256);
  const bin = manifest.entries.find((e) => e.path === "/usr/bin/hello");
  assert.ok(bin && bin.kind === "file");
  assert.is(new TextDecoder().decode(await packageFiles(store, [manifest]).read(bin.sha256)), "#!hello\n");
  assert.ok(manifest.control["control"]);
  // zstd, gzip and uncompressed data members unpack too.
  for (const name of ["libc-test", "libc-alt", "needs-virtual"]) {
    const p = lock.archs["amd64"]?.packages.find((x) => x.name === name);
    assert.ok(p);
    assert.ok((await unpackDeb(store, p.sha256)).entries.some((e) => e.path === `/usr/share/doc/${name}/README`), name);
  }
  const again = await mcc(ctx, ["hello", "needs-virtual", "libc-alt"], ["fetch", "--offline"], { dir: run.dir });
  assert.is(again.code, EXIT.ok, again.stderr);
  assert.match(again.stdout, /0 fetched, 5 from the cache/);
});

test("--offline with an empty cache names what is missing", async (ctx) => {
  const run = await mcc(ctx, ["hello"], ["lock", "--offline"]);
  assert.is(run.code, EXIT.world);
  assert.match(run.stderr, /offline, and the cache lacks:\n\s+http:\/\/127\.0\.0\.1:\d+\/debian\/dists\/testrel\/InRelease/);
});

/** Runs `lock` against a copy of the archive with one file altered, then restores it. */
async function tampered(ctx: { archive: TestArchive; work: string }, path: string, change: (b: Buffer) => Buffer, args = ["lock"]) {
  const original = ctx.archive.files.get(path);
  assert.ok(original, `no ${path} in the test archive`);
  ctx.archive.files.set(path, change(original));
  try {
    return await mcc(ctx, ["hello"], args);
  } finally {
    ctx.archive.files.set(path, original);
  }
}

function cacheBlobs(dir: string): string[] {
  const root = join(dir, "cache", "blobs", "sha256");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
}

test("a modified Packages index is refused and not cached", async (ctx) => {
  const packagesXz = [...ctx.archive.files.keys()].find((k) => k.includes("/dists/testrel/main/binary-amd64/by-hash/"));
  assert.ok(packagesXz);
  // Every by-hash copy of the release's index is replaced with other bytes.
  const paths = [...ctx.archive.files.keys()].filter((k) => k.startsWith("/debian/dists/testrel/main/binary-amd64/"));
  const originals = paths.map((p) => [p, ctx.archive.files.get(p) as Buffer] as const);
  for (const [p, b] of originals) ctx.archive.files.set(p, Buffer.concat([b, Buffer.from("Package: evil\n")]));
  try {
    const run = await mcc(ctx, ["hello"], ["lock"]);
    assert.is(run.code, EXIT.world);
    assert.match(run.stderr, /does not match its signed checksum/);
    assert.not.ok(existsSync(run.spec.replace(/\.yml$/, ".lock.json")));
    const indexSha = /expected ([0-9a-f]{64})/.exec(run.stderr)?.[1];
    assert.ok(indexSha);
    assert.not.ok(cacheBlobs(run.dir).includes(indexSha), "the altered index never entered the cache");
  } finally {
    for (const [p, b] of originals) ctx.archive.files.set(p, b);
  }
});

test("an InRelease with altered text fails its signature", async (ctx) => {
  const alter = (b: Buffer) => Buffer.from(b.toString().replace("Origin: mcc-tests", "Origin: mcc-evil"));
  const run = await tampered(ctx, "/debian/dists/testrel/InRelease", alter);
  assert.is(run.code, EXIT.world);
  assert.match(run.stderr, /signature of .*\/dists\/testrel\/InRelease by key [0-9a-f]+ does not verify/);
  // Neither it nor anything it lists entered the cache; the suites that verified are there,
  // finished before the error was reported (nothing goes on after a command returns).
  const blobs = cacheBlobs(run.dir);
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const altered = ctx.archive.files.get("/debian/dists/testrel/InRelease") as Buffer;
  assert.not.ok(blobs.includes(sha(alter(altered))), "the altered InRelease is not cached");
  const releaseIndexes = [...ctx.archive.files].filter(([p]) => p.startsWith("/debian/dists/testrel/main/")).map(([, b]) => sha(b));
  assert.not.ok(blobs.some((b) => releaseIndexes.includes(b)), "no index of the failed suite is cached");
  const updates = sha(ctx.archive.files.get("/debian/dists/testrel-updates/InRelease") as Buffer);
  assert.ok(blobs.includes(updates), "the -updates suite, verified, finished and was kept");
  const settledBlobs = blobs.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is(cacheBlobs(run.dir).length, settledBlobs, "nothing was written after the command returned");
});

test("an InRelease signed by a key outside the keyring is refused", async (ctx) => {
  const run = await mcc(ctx, ["hello"], ["lock"], { keyring: ctx.archive.otherKeyring });
  assert.is(run.code, EXIT.world);
  assert.match(run.stderr, /is not signed by any key of the keyring/);
  assert.equal(cacheBlobs(run.dir), []);
});

test("a verification is remembered for that InRelease and that keyring only", async (ctx) => {
  const first = await mcc(ctx, ["hello"], ["lock", "-q"]);
  assert.is(first.code, EXIT.ok, first.stderr);
  // The same cache, another keyring: the remembered verification does not count for it.
  rmSync(join(first.dir, "spec.lock.json"), { force: true });
  const other = await mcc(ctx, ["hello"], ["lock", "-q"], { dir: first.dir, keyring: ctx.archive.otherKeyring });
  assert.is(other.code, EXIT.world);
  assert.match(other.stderr, /is not signed by any key of the keyring/);
  // And offline, from the cache alone, the right keyring still locks.
  const offline = await mcc(ctx, ["hello"], ["lock", "-q", "--offline"], { dir: first.dir });
  assert.is(offline.code, EXIT.ok, offline.stderr);
});

test("text outside the signed block is never read", async (ctx) => {
  // A valid signature, with an unsigned paragraph prepended: the index must not see it.
  const run = await tampered(ctx, "/debian/dists/testrel/InRelease", (b) => Buffer.concat([Buffer.from("SHA256:\n 00 1 main/binary-amd64/Packages.xz\n\n"), b]));
  assert.is(run.code, EXIT.ok, run.stderr);
});

test("a modified .deb and a truncated download are refused and not cached", async (ctx) => {
  const debPath = [...ctx.archive.files.keys()].find((k) => k.endsWith("/hello_1.0-1_amd64.deb"));
  assert.ok(debPath);
  const modified = await tampered(ctx, debPath, (b) => {
    const copy = Buffer.from(b);
    copy[copy.length - 10] = (copy[copy.length - 10] ?? 0) ^ 0xff;
    return copy;
  }, ["fetch"]);
  assert.is(modified.code, EXIT.world);
  assert.match(modified.stderr, /hello_1\.0-1_amd64\.deb does not match its signed checksum/);
  const lock = lockOf(modified);
  const helloSha = lock.archs["amd64"]?.packages.find((p) => p.name === "hello")?.sha256;
  assert.ok(helloSha);
  assert.not.ok(cacheBlobs(modified.dir).includes(helloSha));

  ctx.archive.truncate.add(debPath);
  try {
    const cut = await mcc(ctx, ["hello"], ["fetch"]);
    assert.is(cut.code, EXIT.world);
    assert.match(cut.stderr, /hello_1\.0-1_amd64\.deb/);
    assert.not.ok(cacheBlobs(cut.dir).includes(helloSha));
    assert.equal(readdirSync(join(cut.dir, "cache", "tmp")), [], "no temp file is left behind");
  } finally {
    ctx.archive.truncate.delete(debPath);
  }

  // Cut once, then whole: fetched again, verified, kept.
  ctx.archive.truncateOnce.add(debPath);
  const before = ctx.archive.hits.get(debPath) ?? 0;
  const retried = await mcc(ctx, ["hello"], ["fetch"]);
  assert.is(retried.code, EXIT.ok, retried.stderr);
  assert.is((ctx.archive.hits.get(debPath) ?? 0) - before, 2);
  assert.ok(cacheBlobs(retried.dir).includes(helloSha));
});

test("a Release past its Valid-Until is refused unless allowed", async (ctx) => {
  const path = "/debian/dists/testrel/InRelease";
  const release = ctx.archive.files.get("/debian/dists/testrel/Release")?.toString() ?? "";
  const expired = ctx.archive.sign(release.replace("Acquire-By-Hash: yes", "Valid-Until: Sun, 02 Jan 2000 00:00:00 UTC\nAcquire-By-Hash: yes"));
  const run = await tampered(ctx, path, () => expired);
  assert.is(run.code, EXIT.world);
  assert.match(run.stderr, /expired on 2000-01-02T00:00:00\.000Z \(Valid-Until\)/);
  assert.match(run.stderr, /--allow-expired/);
  // The expired InRelease was not kept: the cache holds no blob of its bytes.
  const expiredSha = createHash("sha256").update(expired).digest("hex");
  assert.not.ok(cacheBlobs(run.dir).includes(expiredSha), "an expired InRelease is not cached");
  const allowed = await tampered(ctx, path, () => expired, ["lock", "--allow-expired"]);
  assert.is(allowed.code, EXIT.ok, allowed.stderr);
});

test("compile builds from the archive through the plan; the mirror going away mid-build is a clear error, with nothing half-written", async (ctx) => {
  const dir = mkdtempSync(join(ctx.work, "plan-"));
  const ok = await mcc(ctx, ["static-app"], ["compile", "-o", join(dir, "image"), "-q"], { dir, executable: "/usr/bin/app" });
  assert.is(ok.code, EXIT.ok, ok.stderr);
  assert.ok(existsSync(join(dir, "image", "index.json")));

  // Locked and ready; then the mirror disappears before the packages are fetched.
  const away = mkdtempSync(join(ctx.work, "away-"));
  const locked = await mcc(ctx, ["static-app"], ["lock", "-q"], { dir: away, executable: "/usr/bin/app" });
  assert.is(locked.code, EXIT.ok, locked.stderr);
  ctx.archive.down = true;
  try {
    const failed = await mcc(ctx, ["static-app"], ["compile", "-o", join(away, "image"), "-q"], { dir: away, executable: "/usr/bin/app" });
    assert.is(failed.code, EXIT.world);
    assert.match(failed.stderr, /static-app_1\.0_amd64\.deb failed after 4 attempts/);
    assert.not.ok(existsSync(join(away, "image")));
    assert.equal(readdirSync(away).filter((n) => n.startsWith(".")), []);
    for (const blob of cacheBlobs(away)) {
      const sub = join(away, "cache", "blobs", "sha256", blob.slice(0, 2), blob);
      assert.is(createHash("sha256").update(readFileSync(sub)).digest("hex"), blob);
    }
  } finally {
    ctx.archive.down = false;
  }
});

test("a file:// mirror (a local copy of the archive) locks to the same packages and builds, with the same verification", async (ctx) => {
  const local = mkdtempSync(join(ctx.work, "local-mirror-"));
  for (const [path, data] of ctx.archive.files) {
    mkdirSync(join(local, path, ".."), { recursive: true });
    writeFileSync(join(local, path), data);
  }
  const viaHttp = await mcc(ctx, ["static-app"], ["lock", "-q"], { executable: "/usr/bin/app" });
  assert.is(viaHttp.code, EXIT.ok, viaHttp.stderr);
  const dir = mkdtempSync(join(ctx.work, "file-mirror-"));
  const spec = join(dir, "spec.yml");
  writeFileSync(spec, readFileSync(viaHttp.spec, "utf8").replace(ctx.archive.url, `file://${local}/debian`));
  const { io, out } = captureIo();
  const code = await runMain(["compile", spec, "--cache", join(dir, "cache"), "-o", join(dir, "image"), "-q"], io);
  assert.is(code, EXIT.ok, out.stderr);
  assert.ok(existsSync(join(dir, "image", "index.json")));
  const packagesOf = (file: string) => parseLock(readFileSync(file, "utf8"))?.archs["amd64"]?.packages.map((p) => `${p.name} ${p.version} ${p.sha256}`);
  assert.equal(packagesOf(join(dir, "spec.lock.json")), packagesOf(join(viaHttp.dir, "spec.lock.json")));
  // A tampered package in the local mirror is refused as it would be over http.
  const [debPath] = [...ctx.archive.files.keys()].filter((p) => p.endsWith(".deb") && p.includes("static-app"));
  assert.ok(debPath);
  writeFileSync(join(local, debPath), Buffer.concat([ctx.archive.files.get(debPath) as Buffer, Buffer.from("x")]));
  const again = captureIo();
  const tampered = await runMain(["compile", spec, "--cache", join(dir, "cache2"), "-o", join(dir, "image2"), "-q"], again.io);
  assert.is(tampered, EXIT.world, again.out.stderr);
  assert.match(again.out.stderr, /does not match/);
});

test("an output inside the cache is refused", async (ctx) => {
  const dir = mkdtempSync(join(ctx.work, "incache-"));
  const run = await mcc(ctx, ["static-app"], ["compile", "-o", join(dir, "cache", "image"), "-q"], { dir, executable: "/usr/bin/app" });
  assert.is(run.code, EXIT.userError);
  assert.match(run.stderr, /is inside the cache directory/);
});

test("a dead mirror is a clear error", async (ctx) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = mkdtempSync(join(ctx.work, "dead-"));
  const spec = join(dir, "spec.yml");
  writeFileSync(spec, `name: t\nfrom:\n  release: ${TEST_RELEASE}\n  mirror: http://127.0.0.1:${port}/debian\n  keyring: ${ctx.archive.keyring}\npackages: [hello]\nexecutable: /x\n`);
  const { io, out } = captureIo();
  const code = await runMain(["lock", spec, "--cache", join(dir, "cache")], io);
  assert.is(code, EXIT.world);
  // The suites are asked at once, and when several fail the first in suite order is named: the release's own.
  assert.match(out.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/debian\/dists\/testrel\/InRelease failed after 4 attempts: ECONNREFUSED/, out.stderr);
});

test.run();
