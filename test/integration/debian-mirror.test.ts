// Against the real Debian mirror the host's apt sources name: mcc's resolution must be the
// package set apt's own solver picks for an empty system (--no-install-recommends), with the
// same versions; packages are fetched with every sha256 verified; a second run downloads
// nothing. apt runs with a private state directory, so the host's apt state is untouched.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBlobStore } from "../../src/cache/store.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { packageFiles, unpackDeb } from "../../src/extract/unpack.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { parseLock } from "../../src/resolve/lock.js";
import { archiveBases } from "../../src/source/bases.js";
import { HOST_KEYRING } from "../../src/source/keyring.js";
import type { Spec } from "../../src/types/spec.js";
import { repoRoot } from "../helpers.js";
import { runMcc, sharedTestCache } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-mirror-"));
const mcc = runMcc;

function writeSpec(name: string, release: string, packages: string[]): string {
  const path = join(work, `${name}.yml`);
  writeFileSync(path, `name: ${name}\nfrom:\n  release: ${release}\n  archs: [amd64]\npackages: [${packages.join(", ")}]\nexecutable: /usr/bin/true\n`);
  return path;
}

/** apt's answer for an empty system, from a private state dir and sources for `release`. */
async function aptSolution(release: string, packages: string[]): Promise<string[]> {
  const { mirror, security } = await archiveBases(createNodeHost(), { from: { release } } as unknown as Spec, {});
  const dir = join(work, `apt-${release}`);
  mkdirSync(join(dir, "lists", "partial"), { recursive: true });
  mkdirSync(join(dir, "cache", "archives", "partial"), { recursive: true });
  const sources = join(dir, "sources.list");
  writeFileSync(
    sources,
    [
      `deb [signed-by=${HOST_KEYRING}] ${mirror} ${release} ${release}-updates main`,
      `deb [signed-by=${HOST_KEYRING}] ${security} ${release}-security main`,
      "",
    ].join("\n"),
  );
  const options = [
    `-o`, `Dir::State::Lists=${join(dir, "lists")}`,
    `-o`, `Dir::Cache=${join(dir, "cache")}`,
    `-o`, `Dir::Etc::SourceList=${sources}`,
    `-o`, `Dir::Etc::SourceParts=${join(dir, "none")}`,
    `-o`, "Dir::State::status=/dev/null",
    `-o`, "Debug::NoLocking=1",
    `-o`, "APT::Sandbox::User=root",
    `-o`, "Acquire::Languages=none",
    `-o`, "APT::Architectures::=amd64",
    `-o`, "APT::Architecture=amd64",
  ];
  if (!readdirSafe(join(dir, "lists")).some((f) => f.endsWith("InRelease"))) {
    execFileSync("apt-get", [...options, "-q", "update"], { stdio: "pipe" });
  }
  const out = execFileSync("apt-get", [...options, "-s", "--no-install-recommends", "install", ...packages], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.startsWith("Inst "))
    .map((l) => {
      const [, name, version] = /^Inst (\S+) \((\S+)/.exec(l) ?? [];
      return `${name} ${version}`;
    })
    .sort();
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function lockedSet(spec: string): string[] {
  const lock = parseLock(readFileSync(spec.replace(/\.yml$/, ".lock.json"), "utf8"));
  assert.ok(lock);
  return (lock.archs["amd64"]?.packages ?? []).map((p) => `${p.name} ${p.version}`).sort();
}


test("examples/curl.yml locks to exactly apt's choice for curl and ca-certificates on bookworm", async () => {
  needTools("apt-get");
  const spec = join(work, "curl-example.yml");
  copyFileSync(join(repoRoot, "examples", "curl.yml"), spec);
  const run = await mcc(["lock", spec, "-q"]);
  assert.is(run.code, EXIT.ok, run.stderr);
  assert.equal(lockedSet(spec), await aptSolution("bookworm", ["curl", "ca-certificates"]));
});

const cases: [string, string, string[]][] = [
  ["jq-bookworm", "bookworm", ["jq"]],
  ["ssh", "bookworm", ["openssh-client"]],
  ["python", "bookworm", ["python3-minimal"]],
  ["nginx", "bookworm", ["nginx-light"]],
  ["jq", "trixie", ["jq"]],
];

for (const [name, release, packages] of cases) {
  test(`${packages.join(" ")} on ${release}: the same set and versions as apt's solver`, async () => {
    needTools("apt-get");
    const spec = writeSpec(name, release, packages);
    const run = await mcc(["lock", spec, "-q"]);
    assert.is(run.code, EXIT.ok, run.stderr);
    const ours = lockedSet(spec);
    const apts = await aptSolution(release, packages);
    assert.ok(apts.length > 0, "apt found nothing to install");
    assert.equal(ours, apts);
  });
}

test("lock --check lists what the archive changed and exits 1; --update rewrites it and says the same; then --check passes", async () => {
  const spec = join(work, "curl-check.yml");
  copyFileSync(join(repoRoot, "examples", "curl.yml"), spec);
  assert.is((await mcc(["lock", spec, "-q"])).code, EXIT.ok);
  const lockPath = spec.replace(/\.yml$/, ".lock.json");
  const pristine = readFileSync(lockPath, "utf8");
  // As if the lock was written before Debian shipped curl's current version, and libpsl5 was new since.
  const lock = JSON.parse(pristine) as { archs: Record<string, { packages: { name: string; version: string }[] }> };
  const amd64 = lock.archs["amd64"];
  assert.ok(amd64);
  const curl = amd64.packages.find((p) => p.name === "curl");
  assert.ok(curl);
  const current = curl.version;
  curl.version = "7.88.1-10";
  amd64.packages = amd64.packages.filter((p) => p.name !== "libpsl5");
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
  const check = await mcc(["lock", spec, "--check", "-q"]);
  assert.is(check.code, EXIT.userError);
  assert.ok(check.stdout.includes(`  amd64: curl 7.88.1-10 -> ${current}\n`), check.stdout);
  assert.ok(check.stdout.includes("  amd64: + libpsl5 "), check.stdout);
  assert.match(check.stderr, /is stale \(2 change\(s\)\); run mcc lock --update/);
  // --check writes nothing.
  assert.is(readFileSync(lockPath, "utf8"), JSON.stringify(lock, null, 2) + "\n");
  const update = await mcc(["lock", spec, "--update"]);
  assert.is(update.code, EXIT.ok, update.stderr);
  assert.ok(update.stdout.includes(`  amd64: curl 7.88.1-10 -> ${current}\n`), update.stdout);
  assert.is(readFileSync(lockPath, "utf8"), pristine);
  const again = await mcc(["lock", spec, "--check"]);
  assert.is(again.code, EXIT.ok, again.stderr);
  assert.match(again.stdout, /is current \(checked against the archive\)/);
});

test("jq on trixie is fetched with every sha256 verified, unpacked, and a second fetch downloads nothing", async () => {
  const spec = join(work, "jq.yml");
  const first = await mcc(["fetch", spec]);
  assert.is(first.code, EXIT.ok, first.stderr);
  const lock = parseLock(readFileSync(spec.replace(/\.yml$/, ".lock.json"), "utf8"));
  const packages = lock?.archs["amd64"]?.packages ?? [];
  assert.ok(packages.some((p) => p.name === "libjq1"));
  const store = createBlobStore(createNodeHost(), sharedTestCache);
  const jq = packages.find((p) => p.name === "jq");
  assert.ok(jq);
  const manifest = await unpackDeb(store, jq.sha256);
  const binary = manifest.entries.find((e) => e.path === "/usr/bin/jq");
  assert.ok(binary && binary.kind === "file");
  assert.equal([...(await packageFiles(store, [manifest]).read(binary.sha256)).subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "an ELF file");
  const second = await mcc(["fetch", spec]);
  assert.is(second.code, EXIT.ok, second.stderr);
  assert.match(second.stdout, new RegExp(`${packages.length} packages \\(0 fetched, ${packages.length} from the cache\\)`));
  assert.is(second.stderr, "");
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
