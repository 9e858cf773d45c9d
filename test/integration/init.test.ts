// `mcc init`: a starter spec that builds as it is, for a Debian package's program and for a
// program of the user's (its libraries' packages found for it), with the schema beside it so
// the modeline resolves in any repository; and the refusals (an existing spec, a program
// outside the spec's directory, a name that is neither).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-init-"));
const bin = join(repoRoot, "dist", "cli", "main.js");

function mcc(args: string[], cwd = work): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache }, timeout: 10 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: `${r.error === undefined ? "" : `${r.error.message}\n`}${r.stderr}` };
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test("mcc init ./PROGRAM: a spec with the program as a file, its library's package found when it is built, and it runs", () => {
  needTools("gcc", "/usr/include/zlib.h");
  const dir = join(work, "project");
  mkdirSync(join(dir, "build"), { recursive: true });
  execFileSync("gcc", ["-O2", "-o", join(dir, "build", "zcheck"), "-x", "c", "-", "-lz"], { input: '#include <zlib.h>\n#include <stdio.h>\nint main(void){printf("zlib %s\\n", zlibVersion());return 0;}\n' });
  const init = mcc(["init", "./build/zcheck"], dir);
  assert.is(init.code, 0, init.stderr);
  assert.is(init.stdout, "zcheck.yml: written, with mcc.schema.json beside it for editors\nnext: mcc compile zcheck.yml\n");
  const spec = readFileSync(join(dir, "zcheck.yml"), "utf8");
  assert.match(spec, /^# yaml-language-server: \$schema=\.\/mcc\.schema\.json\n/);
  assert.match(spec, /# an ELF program that loads libz\.so\.1, libc\.so\.6/);
  assert.match(spec, /- \{path: \/app\/zcheck, source: build\/zcheck, mode: 0755\}/);
  assert.is((JSON.parse(readFileSync(join(dir, "mcc.schema.json"), "utf8")) as { $id: string }).$id, "https://mcc.dev/schema/v1/mcc.schema.json");
  assert.is(mcc(["validate", "zcheck.yml"], dir).code, 0);
  const built = mcc(["compile", "zcheck.yml", "--format", "rootfs", "-o", "out/zcheck", "--arch", "amd64"], dir);
  assert.is(built.code, 0, built.stderr);
  const lock = JSON.parse(readFileSync(join(dir, "zcheck.lock.json"), "utf8")) as { archs: { amd64: { packages: { name: string; reason: string }[] } } };
  assert.is(lock.archs.amd64.packages.find((p) => p.name === "zlib1g")?.reason, "libz.so.1, needed by /app/zcheck");
  assert.ok(existsSync(join(dir, "out", "zcheck", "app", "zcheck")));
  if (process.getuid?.() === 0 && spawnSync("runc", ["--version"]).status === 0) {
    const run = mcc(["run", "zcheck.yml", "--runtime", "runc"], dir);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /^zlib 1\.[0-9.]+\n$/);
  }
});

test("mcc init PACKAGE: a spec that builds as it is; an existing spec is not replaced", () => {
  const dir = join(work, "pkg");
  mkdirSync(dir);
  assert.is(mcc(["init", "hello", "--release", "bookworm"], dir).code, 0);
  const built = mcc(["compile", "hello.yml", "--arch", "amd64", "-q"], dir);
  assert.is(built.code, 0, built.stderr);
  const again = mcc(["init", "hello"], dir);
  assert.is(again.code, 1);
  assert.match(again.stderr, /hello\.yml exists; mcc init writes only a new spec \(--force to replace it\)/);
});

test("mcc init refuses a program outside the spec's directory and a target that is neither", () => {
  const dir = join(work, "refusals");
  mkdirSync(join(dir, "sub"), { recursive: true });
  writeFileSync(join(dir, "tool"), "#!/bin/sh\necho hi\n");
  const outside = mcc(["init", "../tool"], join(dir, "sub"));
  assert.is(outside.code, 2);
  assert.match(outside.stderr, /is outside the spec's directory/);
  const neither = mcc(["init", "Not A Package"], dir);
  assert.is(neither.code, 2);
  assert.match(neither.stderr, /is neither a file nor a Debian package name/);
});

test.run();
