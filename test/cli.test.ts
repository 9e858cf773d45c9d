// The CLI as a user meets it: the built `mcc` program run as a child process, plus the
// in-process entry for what a child cannot easily show (a TTY, a bug).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXIT } from "../src/cli/exit-codes.js";
import { runMain } from "../src/cli/program.js";
import { createMemoryHost } from "../src/host/memory-host.js";
import type { Host } from "../src/host/host.js";
import { repoRoot } from "./helpers.js";
import { captureIo } from "./support/io.js";

const bin = join(repoRoot, "dist", "cli", "main.js");

function mcc(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function memoryIo(host: Host, env: Record<string, string> = {}, tty = false) {
  return captureIo({ host, env, tty });
}

test("run as a command, the bundled CLI starts node itself with its settings, as `npx mcc` does", () => {
  // package.json's bin is the bundle; its second line is the one sh runs (src/cli/main.ts).
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string; bin: { mcc: string } };
  assert.is(join(repoRoot, pkg.bin.mcc), bin);
  const lines = (path: string) => readFileSync(path, "utf8").split("\n");
  assert.equal(lines(bin).slice(0, 2), lines(join(repoRoot, "dist", "src", "cli", "main.js")).slice(0, 2));
  assert.match(lines(bin)[1] ?? "", /exec node --max-semi-space-size=1 "\$0" "\$@"$/);
  const r = spawnSync(bin, ["validate", "--json", join(repoRoot, "examples", "curl.yml")], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.is(spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 60_000 }).stdout.trim(), pkg.version);
});

test("--version and --help", () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const version = mcc("--version");
  assert.is(version.code, 0);
  assert.is(version.stdout.trim(), pkg.version);
  const help = mcc("--help");
  assert.is(help.code, 0);
  assert.match(help.stdout, /validate/);
  assert.match(help.stdout, /schema/);
  assert.match(help.stdout, /Exit codes: 0 ok, 1 errors in your input, 2 wrong command line/);
});

test("usage errors exit with 2", () => {
  const unknown = mcc("frobnicate");
  assert.is(unknown.code, EXIT.usage);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.is(mcc("validate").code, EXIT.usage);
  assert.is(mcc("validate", "--bogus", "x.yml").code, EXIT.usage);
  assert.is(mcc().code, EXIT.usage);
});

test("validate: the examples are valid", () => {
  const r = mcc("validate", "examples/curl.yml", "examples/hello.yml", "examples/busybox-httpd.yml");
  assert.is(r.stderr, "");
  assert.is(r.code, 0);
  assert.is(r.stdout, "examples/curl.yml: ok\nexamples/hello.yml: ok\nexamples/busybox-httpd.yml: ok\n");
});

test("validate: every problem of every file in one run, then a summary, exit 1", () => {
  const a = "test/fixtures/many-errors-one-run/spec.yml";
  const b = "test/fixtures/mcc203-wrong-type/spec.yml";
  const r = mcc("validate", a, "examples/hello.yml", b);
  assert.is(r.code, EXIT.userError);
  const golden = (name: string, file: string) =>
    readFileSync(join(repoRoot, "test", "fixtures", name, "diagnostics.txt"), "utf8").replace(/^spec\.yml/gm, file);
  assert.is(r.stderr, golden("many-errors-one-run", a) + golden("mcc203-wrong-type", b) + "15 errors in 2 files\n");
  assert.is(r.stdout, "examples/hello.yml: ok\n");
});

test("validate --json prints the diagnostics as data", () => {
  const r = mcc("validate", "--json", "test/fixtures/mcc305-duplicate-package/spec.yml");
  assert.is(r.code, EXIT.userError);
  const out = JSON.parse(r.stdout) as { ok: boolean; diagnostics: { code: string; line: number; col: number; file: string }[] };
  assert.is(out.ok, false);
  assert.equal(out.diagnostics.map((d) => [d.code, d.line, d.col]), [["MCC305", 5, 5]]);
  assert.is(out.diagnostics[0]?.file, "test/fixtures/mcc305-duplicate-package/spec.yml");
});

test("schema prints the published schema", () => {
  const r = mcc("schema");
  assert.is(r.code, 0);
  assert.equal(JSON.parse(r.stdout), JSON.parse(readFileSync(join(repoRoot, "schema", "mcc.schema.json"), "utf8")));
});

test("on a TTY the offending line is shown", async () => {
  const { io, out } = memoryIo(createMemoryHost({ "/r/s.yml": "name: x1\npackages: [hello]\nexecutable: hello\n" }), {}, true);
  assert.is(await runMain(["validate", "/r/s.yml"], io), EXIT.userError);
  assert.match(out.stderr, /3 \| executable: hello\n  \|             \^~~~~\n/);
});

test("compile refuses a bootable output whose mounts would hide the init's /dev, before fetching anything", async () => {
  const { io, out } = memoryIo(createMemoryHost({ "/r/s.yml": "name: x1\npackages: [hello]\nexecutable: /usr/bin/hello\nmounts: [{path: /dev/shm, type: tmpfs}]\noutput: {format: iso}\n" }));
  assert.is(await runMain(["compile", "/r/s.yml"], io), EXIT.userError);
  assert.is(out.stderr, "/r/s.yml:4:17: error MCC510: the iso output cannot boot this spec: a mount at /dev/shm would hide the boot's own /dev, or be hidden by it\n1 error in 1 file\n");
});

test("a bug is reported as one, with exit code 70 and no stack unless asked", async () => {
  const broken: Host = {
    ...createMemoryHost({}),
    stat: async () => {
      throw new TypeError("boom");
    },
  };
  const plain = memoryIo(broken);
  assert.is(await runMain(["validate", "x.yml"], plain.io), EXIT.internal);
  assert.match(plain.out.stderr, /^mcc: internal error: boom\nThis is a bug in mcc/);
  assert.not.match(plain.out.stderr, /at .*\.js/);
  const debug = memoryIo(broken, { MCC_DEBUG: "1" });
  assert.is(await runMain(["validate", "x.yml"], debug.io), EXIT.internal);
  assert.match(debug.out.stderr, /TypeError: boom\n\s+at /);
});

test.run();
