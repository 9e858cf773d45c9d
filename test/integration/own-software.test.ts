// Your own software in a microcontainer, built and run for real: a Python application as a
// directory of the repository (examples/greet.yml), and C programs this test compiles with
// gcc, one linking a Debian library, one carrying its own library beside it ($ORIGIN). Each is
// traced like a package, written as an OCI layout, unpacked by umoci and run under runc.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT } from "../../src/cli/exit-codes.js";
import { repoRoot } from "../helpers.js";
import { captureIo, runMcc } from "../support/io.js";
import { runMain } from "../../src/cli/program.js";
import { needRunc, runLayoutImage } from "../support/runc.js";
import { startRegistry } from "../support/registry-server.js";
import { needTools } from "../support/tools.js";
import { buildExamplePrograms } from "../support/examples.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const work = mkdtempSync(join(tmpdir(), "mcc-own-"));
let runs = 0;

/** Compiles a spec to an OCI layout; returns the layout's path and the image digest mcc printed. */
async function compile(spec: string, name: string): Promise<{ layout: string; digest: string }> {
  const layout = join(work, `${name}-${++runs}`);
  const run = await runMcc(["compile", spec, "-o", layout, "--arch", "amd64"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  const digest = /oci (sha256:[0-9a-f]{64})/.exec(run.stdout)?.[1];
  assert.ok(digest, run.stdout);
  return { layout, digest: digest as string };
}

test("a Python application as a directory: copied whole, run by the interpreter its #! names", async () => {
  needRunc();
  needTools("umoci");
  const { layout } = await compile(join(repoRoot, "examples", "greet.yml"), "greet");
  const r = await runLayoutImage(layout, "latest", work, "greet");
  assert.is(r.stderr, "");
  assert.is(r.stdout, "Hello, microcontainer! (greet 1.0, Python 3.11)\n");
  const fr = await runLayoutImage(layout, "latest", work, "greet-fr", { args: ["/app/bin/greet", "--lang", "fr", "--name", "le monde"] });
  assert.is(fr.stdout, "Bonjour, le monde! (greet 1.0, Python 3.11)\n");
});

test("examples/greeting: your own .deb, its Depends resolved against the archive, named in the image's records and SBOM", async () => {
  needRunc();
  needTools("umoci", "dpkg-deb");
  buildExamplePrograms();
  const spec = join(repoRoot, "examples", "greeting.yml");
  const { layout } = await compile(spec, "greeting");
  const r = await runLayoutImage(layout, "latest", work, "greeting");
  assert.is(r.stderr, "");
  assert.is(r.stdout, "Hello, microcontainer! (from the greeting package)\n");
  const lock = JSON.parse(readFileSync(join(repoRoot, "examples", "greeting.lock.json"), "utf8")) as { archs: { amd64: { packages: { name: string; archive: string; reason: string }[] } } };
  const packages = lock.archs.amd64.packages;
  assert.equal(packages.find((p) => p.name === "greeting"), { ...packages.find((p) => p.name === "greeting"), archive: "local", reason: "requested" });
  assert.ok(packages.some((p) => p.name === "python3-minimal" && p.reason.startsWith("greeting: python3-minimal")));
  const listing = layersOf(layout)
    .map((layer) => execFileSync("tar", ["-xzOf", join(layout, "blobs", "sha256", layer), "var/lib/dpkg/status.d/greeting"], { encoding: "utf8" }).trim())
    .join("");
  assert.match(listing, /^Package: greeting\nStatus: install ok installed\nVersion: 1\.0-1\n/);
  const sbom = JSON.parse(readFileSync(`${layout}.spdx.json`, "utf8")) as { packages: { name: string; versionInfo?: string; externalRefs?: { referenceLocator: string }[] }[] };
  assert.ok(sbom.packages.some((p) => p.name === "greeting" && p.externalRefs?.[0]?.referenceLocator === "pkg:deb/greeting@1.0-1?arch=all"));
});

test("the tree's image does not depend on mtimes, permissions beyond the executable bit, or what exclude leaves out", async () => {
  const copy = (name: string) => {
    const dir = join(work, name);
    cpSync(join(repoRoot, "examples"), dir, { recursive: true, filter: (src) => !src.includes("lock.json") });
    return dir;
  };
  const a = copy("tree-a");
  const b = copy("tree-b");
  // b: other times, group- and world-writable files, a private executable, caches beside.
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...walk(join(dir, e.name))] : [join(dir, e.name)]));
  for (const path of walk(join(b, "greet"))) utimesSync(path, new Date("2031-05-05"), new Date("2031-05-05"));
  chmodSync(join(b, "greet", "greet", "__init__.py"), 0o666);
  chmodSync(join(b, "greet", "bin", "greet"), 0o700);
  mkdirSync(join(b, "greet", "greet", "__pycache__"));
  writeFileSync(join(b, "greet", "greet", "__pycache__", "__init__.cpython-311.pyc"), "cached");
  writeFileSync(join(b, "greet", "greet", "words.pyc"), "stale");
  const first = await compile(join(a, "greet.yml"), "tree-a");
  const second = await compile(join(b, "greet.yml"), "tree-b");
  assert.is(second.digest, first.digest);
});

test("a one-byte change to your program: rebuilt, the image differs by its own small layer, and a push uploads only that", async () => {
  needTools("gcc", "/usr/include/x86_64-linux-gnu/curl/curl.h", "docker-registry");
  const dir = join(work, "push");
  mkdirSync(join(dir, "fetch"), { recursive: true });
  cpSync(join(repoRoot, "examples", "fetch.yml"), join(dir, "fetch.yml"));
  const source = readFileSync(join(repoRoot, "examples", "fetch", "fetch.c"), "utf8");
  const build = async (text: string, name: string) => {
    writeFileSync(join(dir, "fetch", "fetch.c"), text);
    gcc(["-O2", "-o", join(dir, "fetch", "fetch"), join(dir, "fetch", "fetch.c"), "-lcurl", "-lz"]);
    return compile(join(dir, "fetch.yml"), name);
  };
  const first = await build(source, "push-1");
  const changed = source.replace('"fetch 1.0 (', '"fetch 1.1 (');
  assert.is.not(changed, source);
  const second = await build(changed, "push-2");
  const layers = (layout: string, digest: string) => (JSON.parse(readFileSync(join(layout, "blobs", "sha256", digest.slice(7)), "utf8")) as { layers: { digest: string; size: number }[] }).layers;
  const [packages1, own1] = layers(first.layout, first.digest);
  const [packages2, own2] = layers(second.layout, second.digest);
  assert.equal(packages2, packages1, "the packages' layer is the same");
  assert.is.not(own2?.digest, own1?.digest);
  const registry = await startRegistry();
  try {
    const pushed = async (layout: string, tag: string) => {
      const { io, out } = captureIo();
      const code = await runMain(["push", layout, `${registry.host}/own/fetch:${tag}`, "--insecure", "--verbose"], io);
      assert.is(code, EXIT.ok, out.stderr);
      return out.stderr.split("\n").filter((l) => /^blob .*: uploaded/.test(l));
    };
    await pushed(first.layout, "1");
    const uploaded = await pushed(second.layout, "2");
    const short = (digest: string) => digest.slice(7, 19);
    assert.ok(!uploaded.some((l) => l.includes(short(packages1?.digest ?? ""))), "the packages' layer is not sent again");
    assert.ok(uploaded.some((l) => l.includes(short(own2?.digest ?? ""))), "the program's layer is sent");
    const total = (packages2?.size ?? 0) + (own2?.size ?? 0);
    console.log(`  second push: the program's layer ${own2?.size} bytes of the image's ${total}; sent: ${uploaded.length} blobs`);
    assert.ok((own2?.size ?? 0) * 20 < total, "the program's layer is a small part of the image");
  } finally {
    await registry.stop();
  }
});

/** A C source compiled here; the binary goes where the spec's `files` take it from. */
function gcc(args: string[]): void {
  execFileSync("gcc", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
}

test("examples/fetch: a C program whose libraries no package entry names; mcc finds libcurl4 and zlib1g, and it runs", async () => {
  needRunc();
  needTools("umoci");
  buildExamplePrograms();
  const spec = join(repoRoot, "examples", "fetch.yml");
  const lock = await runMcc(["lock", spec]);
  assert.is(lock.code, EXIT.ok, lock.stderr);
  assert.match(lock.stdout, /found libcurl4 \S+: libcurl\.so\.4, needed by \/usr\/local\/bin\/fetch\n/);
  assert.match(lock.stdout, /found zlib1g \S+: libz\.so\.1, needed by \/usr\/local\/bin\/fetch\n/);
  const { layout } = await compile(spec, "fetch");
  const version = await runLayoutImage(layout, "latest", work, "fetch");
  assert.is(version.stderr, "");
  assert.match(version.stdout, /^fetch 1\.0 \(libcurl 7\.\d+\.\d+, zlib 1\.2\.13\)\n$/);
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "text/plain" }).end("hello\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const got = await runLayoutImage(layout, "latest", work, "fetch-get", { args: ["/usr/local/bin/fetch", `http://127.0.0.1:${port}/`], hostNetwork: true });
    assert.is(got.stderr, "");
    assert.is(got.stdout, "200, 6 bytes, crc32 363a3020\n");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("your own C program: its DT_NEEDED come from the package set, and `mcc why` names it", async () => {
  needRunc();
  needTools("gcc", "/usr/include/zlib.h", "umoci");
  const dir = join(work, "zcheck");
  mkdirSync(dir);
  writeFileSync(join(dir, "zcheck.c"), '#include <stdio.h>\n#include <zlib.h>\nint main(void) { printf("zlib %s, crc %lu\\n", zlibVersion(), crc32(0L, (const Bytef *)"mcc", 3)); return 0; }\n');
  gcc(["-O2", "-o", join(dir, "zcheck"), join(dir, "zcheck.c"), "-lz"]);
  writeFileSync(
    join(dir, "zcheck.yml"),
    ["name: zcheck", "from:", "  release: bookworm", "packages: [zlib1g]", "executable: /usr/local/bin/zcheck", "files:", "  - {path: /usr/local/bin/zcheck, source: zcheck, mode: 0755}", ""].join("\n"),
  );
  const { layout } = await compile(join(dir, "zcheck.yml"), "zcheck");
  const r = await runLayoutImage(layout, "latest", work, "zcheck");
  assert.is(r.stderr, "");
  assert.match(r.stdout, /^zlib 1\.2\.13, crc 623217127\n$/);
  const why = await runMcc(["why", join(dir, "zcheck.yml"), "/usr/lib/x86_64-linux-gnu/libz.so.1", "--arch", "amd64"]);
  assert.is(why.code, EXIT.ok, why.stderr);
  assert.match(why.stdout, /\/usr\/local\/bin\/zcheck/);
});

test("your own library beside your program: a directory found through $ORIGIN, nothing of it from a package", async () => {
  needRunc();
  needTools("gcc", "umoci");
  const dir = join(work, "vendored");
  mkdirSync(join(dir, "app", "bin"), { recursive: true });
  mkdirSync(join(dir, "app", "lib"));
  writeFileSync(join(dir, "greet.c"), 'const char *greeting(void) { return "hello from a vendored library"; }\n');
  writeFileSync(join(dir, "main.c"), '#include <stdio.h>\nconst char *greeting(void);\nint main(void) { puts(greeting()); return 0; }\n');
  gcc(["-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "-o", join(dir, "app", "lib", "libgreet.so.1"), join(dir, "greet.c")]);
  gcc(["-o", join(dir, "app", "bin", "hello"), join(dir, "main.c"), join(dir, "app", "lib", "libgreet.so.1"), "-Wl,-rpath,$ORIGIN/../lib"]);
  writeFileSync(join(dir, "app", "README"), "left out\n");
  writeFileSync(
    join(dir, "spec.yml"),
    ["name: vendored", "from:", "  release: bookworm", "packages: [libc6]", "executable: /opt/app/bin/hello", "files:", "  - {path: /opt/app, source: app, exclude: [README]}", ""].join("\n"),
  );
  const { layout } = await compile(join(dir, "spec.yml"), "vendored");
  const r = await runLayoutImage(layout, "latest", work, "vendored");
  assert.is(r.stderr, "");
  assert.is(r.stdout, "hello from a vendored library\n");
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  assert.ok(index.manifests.length > 0);
  const listing = layersOf(layout)
    .map((layer) => execFileSync("tar", ["-tzf", join(layout, "blobs", "sha256", layer)], { encoding: "utf8" }))
    .join("");
  assert.ok(listing.includes("opt/app/lib/libgreet.so.1"));
  assert.not.ok(listing.includes("opt/app/README"));
});

/** The layers of a single-image layout, bottom first. */
function layersOf(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const named = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] !== undefined) ?? index.manifests[0];
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", (named?.digest ?? "").slice(7)), "utf8")) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => l.digest.slice(7));
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
