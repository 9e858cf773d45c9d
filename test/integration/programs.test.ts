// The proof on real programs: each example is compiled from real Debian packages into a
// rootfs that holds only the traced closure, then run under the real runc with a read-only
// root, as the run user, and its output checked.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT } from "../../src/cli/exit-codes.js";
import { repoRoot } from "../helpers.js";
import { runMcc } from "../support/io.js";
import { needRunc, runInRootfs } from "../support/runc.js";

const work = mkdtempSync(join(tmpdir(), "mcc-programs-"));
const mcc = runMcc;

async function compile(example: string): Promise<string> {
  const rootfs = join(work, `${example}.rootfs`);
  const run = await mcc(["compile", join(repoRoot, "examples", `${example}.yml`), "--format", "rootfs", "-o", rootfs, "-q", "--arch", "amd64"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  return rootfs;
}

const user = { uid: 65532, gid: 65532, cwd: "/write" };

test("curl fetches from a server on loopback", async () => {
  needRunc();
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "text/plain" }).end("hello\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const rootfs = await compile("curl");
    const r = await runInRootfs(rootfs, ["/usr/bin/curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${port}/`], { ...user, hostNetwork: true });
    assert.is(r.stderr, "");
    assert.is(r.stdout, "200");
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const smoke: [string, string[], string][] = [
  ["jq", ["/usr/bin/jq", "-n", "[1,2,3]|add"], "6\n"],
  ["sqlite3", ["/usr/bin/sqlite3", "/write/t.db", "create table t(x); insert into t values(42); select x from t;"], "42\n"],
  ["python3", ["/usr/bin/python3", "-c", "import json,ssl,sqlite3;print(json.dumps([1]))"], "[1]\n"],
  ["busybox", ["/bin/busybox", "echo", "ok"], "ok\n"],
];

for (const [example, args, expected] of smoke) {
  test(`${example} runs under runc with a read-only root`, async () => {
    needRunc();
    const rootfs = await compile(example);
    const r = await runInRootfs(rootfs, args, user);
    assert.is(r.stderr, "");
    assert.is(r.status, 0);
    assert.is(r.stdout, expected);
  });
}

test("the spec's files are in the image with their modes, and readable by the program", async () => {
  needRunc();
  const rootfs = join(work, "httpd.rootfs");
  const run = await mcc(["compile", join(repoRoot, "examples", "busybox-httpd.yml"), "--arch", "amd64", "--format", "rootfs", "-o", rootfs, "-q", "--arch", "amd64"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  const r = await runInRootfs(rootfs, ["/bin/busybox", "sh", "-c", "cat /read/www/index.html /read/httpd.conf; stat -c '%a %u' /read/httpd.conf"], { uid: 1000, gid: 1000, cwd: "/read" });
  assert.is(r.stderr, "");
  assert.is(r.stdout, "<!doctype html><title>mcc</title><p>served from a microcontainer</p>\n# Default configuration; mount your own at /read to replace it.\nlisten = 0.0.0.0:8080\n644 0\n");
});

test("an interpreter's module tree is kept by its rule: ruby requires json and RubyGems from a spec that includes nothing", async () => {
  needRunc();
  const spec = join(work, "ruby.yml");
  writeFileSync(
    spec,
    [
      "name: ruby",
      "from: { release: bookworm }",
      "packages: [ruby3.1]",
      "executable: /usr/bin/ruby3.1",
      `args: ["-e", "require 'json'; puts JSON.generate({'gems' => !Gem::VERSION.empty?})"]`,
      "",
    ].join("\n"),
  );
  const rootfs = join(work, "ruby.rootfs");
  const run = await mcc(["compile", spec, "--format", "rootfs", "-o", rootfs, "--arch", "amd64"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  // The gems' scripts name interpreters the image does not have: one warning per interpreter, naming the rule.
  assert.match(run.stderr, /warning MCC507: .* and \d+ other kept files start with #!\/usr\/bin\/env, which is not in the image/);
  assert.match(run.stderr, /the rule ruby-modules keeps them/);
  const r = await runInRootfs(rootfs, ["/usr/bin/ruby3.1", "-e", "require 'json'; puts JSON.generate({'gems' => !Gem::VERSION.empty?})"], user);
  assert.is(r.stderr, "");
  assert.is(r.stdout, '{"gems":true}\n');
});

test("a Python program's imports: a module no package of the set holds is a warning naming the package (Contents, Contents-all); with them added it runs", async () => {
  needRunc();
  const dir = mkdtempSync(join(work, "pyapp-"));
  writeFileSync(join(dir, "app.py"), ["import json, math, errno", "import yaml", "import requests", "try:", "    import orjson", "except ImportError:", "    orjson = None", 'print(yaml.safe_dump({"ok": requests.__name__}).strip())', ""].join("\n"));
  const spec = (packages: string) =>
    ["name: pyapp", "from: { release: bookworm }", `packages: [${packages}]`, "executable: /usr/bin/python3", "args: [/app/app.py]", "files:", "  - { path: /app/app.py, source: app.py }", ""].join("\n");
  writeFileSync(join(dir, "app.yml"), spec("python3"));
  const bare = await mcc(["compile", join(dir, "app.yml"), "--format", "rootfs", "-o", join(dir, "bare"), "--arch", "amd64"]);
  assert.is(bare.code, EXIT.ok, bare.stderr);
  const warnings = bare.stderr.split("\n").filter((l) => /MCC509|note: the release/.test(l));
  assert.equal(warnings, [
    `${join(dir, "app.yml")}:7:13: warning MCC509: /app/app.py imports yaml (line 2), which is not in the image`,
    `${join(dir, "app.yml")}:7:13: note: the release's package python3-yaml ships it: add it to packages`,
    `${join(dir, "app.yml")}:7:13: warning MCC509: /app/app.py imports requests (line 3), which is not in the image`,
    `${join(dir, "app.yml")}:7:13: note: the release's package python3-requests ships it: add it to packages`,
  ]);
  writeFileSync(join(dir, "app.yml"), spec("python3, python3-yaml, python3-requests"));
  const rootfs = join(dir, "rootfs");
  const whole = await mcc(["compile", join(dir, "app.yml"), "--format", "rootfs", "-o", rootfs, "--arch", "amd64"]);
  assert.is(whole.code, EXIT.ok, whole.stderr);
  assert.not.match(whole.stderr, /MCC509/);
  const r = await runInRootfs(rootfs, ["/usr/bin/python3", "/app/app.py"], user);
  assert.is(r.stderr, "");
  assert.is(r.stdout, "ok: requests\n");
});

test("jq traced for arm64 on this amd64 host, with no emulation: the arm64 loader and libraries", async () => {
  const rootfs = join(work, "jq-arm64.rootfs");
  const run = await mcc(["compile", join(repoRoot, "examples", "jq.yml"), "--arch", "arm64", "--format", "rootfs", "-o", rootfs, "--explain", join(work, "jq-arm64.json")]);
  assert.is(run.code, EXIT.ok, run.stderr);
  const table = JSON.parse(readFileSync(join(work, "jq-arm64.json"), "utf8")) as { path: string; package: string; reasons: string[] }[];
  const paths = table.map((e) => e.path);
  assert.ok(paths.includes("/usr/lib/ld-linux-aarch64.so.1"), "the arm64 loader (PT_INTERP /lib/ld-linux-aarch64.so.1)");
  assert.ok(paths.some((p) => /^\/usr\/lib\/aarch64-linux-gnu\/libjq\.so\.1\./.test(p)), "libjq for arm64");
  assert.not.ok(paths.some((p) => p.includes("x86_64")), "nothing of amd64");
  const jq = table.find((e) => e.path === "/usr/bin/jq");
  assert.equal(jq?.reasons, ["the spec's executable"]);
  assert.is(jq?.package, "jq");
  // arm64 is not in the spec's archs: it was resolved for this run, and the lock left alone.
  const lock = JSON.parse(readFileSync(join(repoRoot, "examples", "jq.lock.json"), "utf8")) as { archs: Record<string, unknown> };
  assert.equal(Object.keys(lock.archs), ["amd64"]);
});

test("mcc why explains a library back to the executable, and a file that is not kept", async () => {
  const spec = join(repoRoot, "examples", "curl.yml");
  const why = await mcc(["why", spec, "/lib/x86_64-linux-gnu/libz.so.1"]);
  assert.is(why.code, EXIT.ok, why.stderr);
  const lines = why.stdout.trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^\/lib\/x86_64-linux-gnu\/libz\.so\.1 resolves to \/usr\/lib\/x86_64-linux-gnu\/libz\.so\.1\.2\.13$/);
  assert.match(lines[1] ?? "", /^\/usr\/lib\/x86_64-linux-gnu\/libz\.so\.1\.2\.13 \(from zlib1g\): libz\.so\.1, needed \(DT_NEEDED\) by /);
  assert.match(lines[lines.length - 1] ?? "", /\/usr\/bin\/curl \(from curl\): the spec's executable$/);
  const not = await mcc(["why", spec, "/usr/share/man/man1/curl.1.gz"]);
  assert.is(not.stdout, "/usr/share/man/man1/curl.1.gz is not in the image: package curl has it, but nothing needs it (add it to include to keep it)\n");
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
