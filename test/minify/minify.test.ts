// `mcc minify` on small images the test builds: two layers with a whiteout and an opaque
// directory, a dpkg database at bookworm's unmerged paths, the host's /usr/bin/true and libc as
// the program; the config kept, the dpkg records of what remains, the errors, and the same
// bytes from another cache, time zone and umask.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runMain } from "../../src/cli/program.js";
import { readImage } from "../../src/inspect/read-image.js";
import { repoRoot } from "../helpers.js";
import { captureIo } from "../support/io.js";
import { writeFixtureLayout, type FixtureEntry } from "../support/image-fixture.js";

const work = mkdtempSync(join(tmpdir(), "mcc-minify-"));
const cache = join(work, "cache");
const lib = "/usr/lib/x86_64-linux-gnu";

const status = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u7
Description: GNU C Library
 shared libraries

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
`;

const base: FixtureEntry[] = [
  { path: "/usr/bin/hello", content: readFileSync("/usr/bin/true"), mode: 0o755 },
  { path: `${lib}/libc.so.6`, content: readFileSync(`${lib}/libc.so.6`) },
  { path: `${lib}/ld-linux-x86-64.so.2`, content: readFileSync(`${lib}/ld-linux-x86-64.so.2`), mode: 0o755 },
  { path: "/usr/lib64/ld-linux-x86-64.so.2", link: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" },
  { path: "/lib", link: "usr/lib" },
  { path: "/lib64", link: "usr/lib64" },
  { path: "/etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n" },
  { path: "/etc/os-release", content: 'PRETTY_NAME="Fixture OS"\nVERSION_CODENAME=bookworm\nID=debian\n' },
  { path: "/var/lib/dpkg/status", content: status },
  { path: "/var/lib/dpkg/info/libc6:amd64.list", content: "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n/lib64/ld-linux-x86-64.so.2\n" },
  { path: "/opt/gone.txt", content: "removed by the second layer\n" },
  { path: "/opt/old/file", content: "hidden by an opaque directory\n" },
];
const top: FixtureEntry[] = [
  { path: "/opt/.wh.gone.txt", content: "" },
  { path: "/opt/old/.wh..wh..opq", content: "" },
  { path: "/opt/old/new.txt", content: "the second layer's\n" },
];
const runConfig = { Entrypoint: ["hello"], Cmd: ["--x"], Env: ["PATH=/usr/bin", "GREETING=hi"], User: "app", Labels: { "org.example.team": "edge" }, ExposedPorts: { "8080/tcp": {}, "53/udp": {} } };

async function layout(name: string, config: object = runConfig, arch = "amd64"): Promise<string> {
  const dir = join(work, name);
  await writeFixtureLayout(dir, "v1", [base, top], config, arch);
  return dir;
}

async function mcc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const [command = "", ...rest] = args;
  const code = await runMain([command, "--cache", cache, ...rest], io);
  return { code, ...out };
}

function blob(dir: string, digest: string): string {
  return readFileSync(join(dir, "blobs", "sha256", digest.replace(/^sha256:/, "")), "utf8");
}

test("layers apply in order: a whiteout removes, an opaque directory hides the lower layer's", async () => {
  const read = await readImage(await layout("layers"), { tag: "v1" });
  const paths = read.files.map((f) => f.path);
  assert.ok(paths.includes("/opt/old/new.txt"));
  assert.not.ok(paths.includes("/opt/gone.txt"));
  assert.not.ok(paths.includes("/opt/old/file"));
  assert.is(read.config?.config?.Entrypoint?.[0], "hello");
  const wrongTag = await readImage(join(work, "layers"), { tag: "v2" }).then(
    () => "",
    (e: Error) => e.message,
  );
  assert.match(wrongTag, /no image tagged v2 \(it has v1\)/);
});

test("minify keeps the program's closure, its config and the dpkg records of what remains", async () => {
  const src = await layout("app");
  const out = join(work, "app-min");
  const r = await mcc(["minify", `${src}:v1`, "-o", out, "--name", "app", "--json", "--explain", join(work, "explain.json")]);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { before: { files: number; bytes: number }; after: { files: number; bytes: number }; entrypoint: string[]; kept: { name: string; after: { files: number } }[]; packageRecords: string };
  assert.equal(report.entrypoint, ["/usr/bin/hello"]);
  assert.is(report.packageRecords, "status");
  assert.ok(report.kept.some((p) => p.name === "libc6"));
  // Tiny as it is, the image loses its unused files (the dpkg database, /opt).
  assert.ok(report.after.bytes < report.before.bytes + 1024 && report.kept.every((p) => p.name !== "(image)" || p.after.files < 6), JSON.stringify(report));
  const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(out, index.manifests[0]!.digest)) as { config: { digest: string } };
  const config = JSON.parse(blob(out, manifest.config.digest)) as { config: Record<string, unknown> };
  assert.equal(config.config["Entrypoint"], ["/usr/bin/hello"]);
  assert.equal(config.config["Cmd"], ["--x"]);
  assert.equal(config.config["Env"], ["PATH=/usr/bin", "GREETING=hi"]);
  assert.is(config.config["User"], "1000:1001");
  assert.equal(config.config["Labels"], { "org.example.team": "edge" });
  assert.equal(Object.keys(config.config["ExposedPorts"] as object), ["53/udp", "8080/tcp"]);
  const files = await readImage(out);
  const paths = files.files.map((f) => f.path);
  for (const p of ["/usr/bin/hello", `${lib}/libc.so.6`, `${lib}/ld-linux-x86-64.so.2`, "/usr/lib64/ld-linux-x86-64.so.2", "/var/lib/dpkg/status.d/libc6"]) assert.ok(paths.includes(p), p);
  assert.not.ok(paths.includes("/opt/old/new.txt"));
  assert.not.ok(paths.includes("/var/lib/dpkg/status"));
  const md5sums = (await readImage(out)).texts.get("/var/lib/dpkg/status.d/libc6.md5sums") ?? "";
  // The package's own paths, as dpkg lists them, only for the files kept.
  assert.match(md5sums, /^[0-9a-f]{32}  lib\/x86_64-linux-gnu\/ld-linux-x86-64\.so\.2\n[0-9a-f]{32}  lib\/x86_64-linux-gnu\/libc\.so\.6\n$/);
  assert.match(files.texts.get("/var/lib/dpkg/status.d/libc6") ?? "", /^Package: libc6\nStatus: install ok installed\n/);
  const explained = JSON.parse(readFileSync(join(work, "explain.json"), "utf8")) as { path: string; package: string; reasons: string[] }[];
  assert.equal(explained.find((e) => e.path === `${lib}/libc.so.6`), { path: `${lib}/libc.so.6`, kind: "file", package: "libc6", reasons: ["libc.so.6, needed (DT_NEEDED) by /usr/bin/hello"] });
  // The image's own identity, not mcc's guess.
  assert.is(files.files.find((f) => f.path === "/usr/lib/os-release")?.size, 'PRETTY_NAME="Fixture OS"\nVERSION_CODENAME=bookworm\nID=debian\n'.length);
});

test("a spec adds includes and overrides the user; flags replace the program", async () => {
  const src = await layout("spec");
  const spec = join(work, "minify.yml");
  writeFileSync(spec, "include: [/opt/**]\nuser: 4242\nlabels:\n  extra: yes-please\n");
  const out = join(work, "spec-min.rootfs");
  const r = await mcc(["minify", src, "--spec", spec, "--format", "rootfs", "-o", out, "--executable", "/usr/bin/hello", "--", "--flag"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(join(out, "opt/old/new.txt"), "utf8"), "the second layer's\n");
  assert.match(readFileSync(join(out, "etc/passwd"), "utf8"), /:4242:4242:/);
  assert.match(r.stdout, /\/usr\/bin\/hello \[--flag\]/);
  writeFileSync(spec, "packages: [curl]\nfrom:\n  release: bookworm\n");
  const refused = await mcc(["minify", src, "--spec", spec, "-o", join(work, "never")]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /minify\.yml:1:1: error MCC604: `packages` has no meaning for `mcc minify`/);
  assert.match(refused.stderr, /minify\.yml:2:1: error MCC604: `from` has no meaning/);
  writeFileSync(spec, "output: {format: iso, path: x.iso}\n");
  const iso = await mcc(["minify", src, "--spec", spec]);
  assert.is(iso.code, 1);
  assert.match(iso.stderr, /error MCC606: `mcc minify` cannot write iso outputs/);
});

test("clear errors: no command, a command not on PATH, another architecture, not an image", async () => {
  const none = await mcc(["minify", await layout("none", { Env: ["PATH=/usr/bin"] }), "-o", join(work, "x")]);
  assert.is(none.code, 1);
  assert.match(none.stderr, /error MCC601: the image's config has no Entrypoint and no Cmd/);
  const typo = await mcc(["minify", await layout("typo", { Entrypoint: ["helo"], Env: ["PATH=/usr/bin"] }), "-o", join(work, "x")]);
  assert.is(typo.code, 1);
  assert.match(typo.stderr, /error MCC602: helo is not on the image's PATH \(\/usr\/bin\)\n.*note: did you mean hello\?/);
  const missing = await mcc(["minify", await layout("missing", { Entrypoint: ["/usr/bin/hallo"] }), "-o", join(work, "x")]);
  assert.match(missing.stderr, /error MCC610: the executable \/usr\/bin\/hallo is not in the image\n.*note: the image has: \/usr\/bin\/hello/);
  const s390x = await mcc(["minify", await layout("s390x", runConfig, "s390x"), "-o", join(work, "x")]);
  assert.is(s390x.code, 1);
  assert.match(s390x.stderr, /error MCC603: the image is for s390x; mcc traces amd64 and arm64/);
  writeFileSync(join(work, "not-an-image.tar"), "just text\n".repeat(100));
  const bad = await mcc(["minify", join(work, "not-an-image.tar"), "-o", join(work, "x")]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /error MCC600: cannot read the image: /);
  // A registry reference is pulled; plain http to a host that is not loopback is refused first.
  const registry = await mcc(["minify", "registry.example.org/app:1", "--insecure", "-o", join(work, "x")]);
  assert.is(registry.code, 2, registry.stderr);
  assert.match(registry.stderr, /refusing plain http to registry\.example\.org: --insecure is allowed only for loopback hosts/);
});

test("the same image gives the same bytes from another cache, time zone, umask and directory", async () => {
  const src = await layout("repro");
  const bin = join(repoRoot, "dist", "cli", "main.js");
  const run = (out: string, env: Record<string, string>, umask: string, cacheDir: string) => {
    const r = spawnSync("sh", ["-c", `umask ${umask} && exec "$0" "$@"`, process.execPath, bin, "minify", src, "-o", out, "--name", "repro", "-q", "--cache", cacheDir], {
      cwd: mkdtempSync(join(work, "cwd-")),
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    assert.is(r.status, 0, r.stderr);
    return readFileSync(join(out, "index.json"), "utf8") + spawnSync("sh", ["-c", `sha256sum ${out}/blobs/sha256/* | cut -c1-64 | sort`], { encoding: "utf8" }).stdout;
  };
  const a = run(join(work, "repro-a"), { TZ: "UTC" }, "022", join(work, "cache-a"));
  const b = run(join(work, "repro-b"), { TZ: "Pacific/Kiritimati", LC_ALL: "de_DE.UTF-8" }, "077", join(work, "cache-b"));
  assert.is(b, a);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
