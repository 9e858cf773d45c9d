// The build cache shared through a registry (docker-registry 2.8 on loopback): a machine with
// an empty cache rebuilds a spec from another machine's step results without fetching or
// unpacking a package, and a changed spec takes the packages from the registry, not the mirror.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { blobPath } from "../../src/cache/store.js";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { startRegistry } from "../support/registry-server.js";
import { needTools } from "../support/tools.js";

const bin = join(repoRoot, "dist", "cli", "main.js");
const work = mkdtempSync(join(tmpdir(), "mcc-shared-cache-"));

interface Build {
  status: number | null;
  stderr: string;
  steps: { kind: string; how: string }[];
  shared?: { hits: number; blobsFetched: number; pushed: number; blobsPushed: number; blobsPresent: number; problem?: string };
  digest?: string;
  errors: string[];
}

/** Compiles the hello example (a copy with its lock, in `dir`) with its own cache and these flags. */
function build(dir: string, cache: string, flags: string[], env: Record<string, string> = {}): Build {
  const r = spawnSync(process.execPath, [bin, "compile", join(dir, "hello.yml"), "-o", join(dir, "out"), "--arch", "amd64", "--json", "--cache", cache, ...flags], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    status: r.status,
    stderr: r.stderr,
    steps: events.filter((e) => e["event"] === "step").map((e) => ({ kind: String(e["kind"]), how: String(e["how"]) })),
    ...(events.find((e) => e["event"] === "shared-cache") === undefined ? {} : { shared: events.find((e) => e["event"] === "shared-cache") as unknown as Build["shared"] }),
    ...(events.find((e) => e["event"] === "output") === undefined ? {} : { digest: String(events.find((e) => e["event"] === "output")?.["digest"]) }),
    // With --json a failure is an event too.
    errors: events.filter((e) => e["event"] === "error").map((e) => String(e["message"])),
  };
}

/** The hello example locked once, with the tests' shared cache (as a project commits its lock). */
function lockedHello(): string {
  const dir = join(work, "locked");
  if (existsSync(join(dir, "hello.lock.json"))) return dir;
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(repoRoot, "examples", "hello.yml"), join(dir, "hello.yml"));
  const r = spawnSync(process.execPath, [bin, "lock", join(dir, "hello.yml"), "--cache", sharedTestCache], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return dir;
}

/** A directory with the hello example and its lock, optionally with other args. */
function specDir(name: string, args?: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const spec = readFileSync(join(repoRoot, "examples", "hello.yml"), "utf8");
  writeFileSync(join(dir, "hello.yml"), args === undefined ? spec : spec.replace(/^args: .*$/m, `args: ${args}`));
  copyFileSync(join(lockedHello(), "hello.lock.json"), join(dir, "hello.lock.json"));
  return dir;
}

const lockedDebs = (): string[] => (JSON.parse(readFileSync(join(lockedHello(), "hello.lock.json"), "utf8")) as { archs: Record<string, { packages: { sha256: string }[] }> }).archs["amd64"]?.packages.map((p) => p.sha256) ?? [];

test("a second machine rebuilds from the registry: no package fetched or unpacked, the same digest", async () => {
  needTools("docker-registry", "htpasswd", "openssl");
  const registry = await startRegistry();
  try {
    const repo = `${registry.host}/team/mcc-cache`;
    const dir = specDir("same");
    // Machine one: an empty cache, the whole build runs and every shared result is written.
    const first = build(dir, join(work, "cache-one"), ["--cache-to", repo, "--insecure"]);
    assert.is(first.status, 0, first.stderr);
    assert.ok(first.steps.some((s) => s.kind === "fetch" && s.how === "ran"));
    assert.ok((first.shared?.pushed ?? 0) >= 7, JSON.stringify(first.shared));
    assert.is(first.shared?.problem, undefined);

    // Machine two: another empty cache, reading the registry.
    const second = build(dir, join(work, "cache-two"), ["--cache-from", repo, "--insecure"]);
    assert.is(second.status, 0, second.stderr);
    assert.is(second.digest, first.digest);
    assert.equal(second.steps.filter((s) => s.kind === "fetch" || s.kind === "unpack"), [], "no package step is visited");
    assert.ok(second.steps.filter((s) => s.how === "remote").length >= 3, JSON.stringify(second.steps));
    assert.is(second.steps.filter((s) => s.how === "ran").map((s) => s.kind).join(), "emit");
    assert.is(second.shared?.hits, second.steps.filter((s) => s.how === "remote").length);
    // Nothing of the packages reached the second cache: not one .deb.
    for (const sha of lockedDebs()) assert.not.ok(existsSync(blobPath(join(work, "cache-two"), sha)), `.deb ${sha} was fetched`);

    // A changed spec on a third machine, offline: the packages come from the registry.
    const changed = specDir("changed", '["--greeting=changed"]');
    const third = build(changed, join(work, "cache-three"), ["--cache-from", repo, "--insecure", "--offline"]);
    assert.is(third.status, 0, third.stderr);
    assert.is.not(third.digest, first.digest);
    assert.ok(third.steps.some((s) => s.kind === "fetch" && s.how === "remote"), "the .debs came from the registry");
    assert.ok(third.steps.some((s) => s.kind === "tree" && s.how === "remote"), "the trace was not redone");
    assert.ok(third.steps.some((s) => s.kind === "config" && s.how === "ran"));
    assert.not.ok(third.steps.some((s) => s.kind === "fetch" && s.how === "ran"));

    // Written twice: the second time every entry is found there already.
    const again = build(dir, join(work, "cache-two"), ["--cache-to", repo, "--insecure"]);
    assert.is(again.status, 0, again.stderr);
    assert.is(again.shared?.pushed, 0);
  } finally {
    await registry.stop();
  }
});

test("over TLS with htpasswd: credentials from the environment; a wrong password is a warning and the build goes on", async () => {
  needTools("docker-registry", "htpasswd", "openssl");
  const registry = await startRegistry({ tls: true, basic: { user: "builder", password: "s3cret" } });
  try {
    const repo = `${registry.host}/team/mcc-cache`;
    const dir = specDir("tls");
    const tls = ["--ca-file", registry.caFile as string];
    const wrong = build(dir, join(work, "cache-tls-one"), ["--cache-to", repo, ...tls], { MCC_REGISTRY_USERNAME: "builder", MCC_REGISTRY_PASSWORD: "wrong" });
    assert.is(wrong.status, 0, wrong.stderr);
    assert.match(wrong.shared?.problem ?? "", /authentication failed|unauthorized/i);
    assert.is(wrong.shared?.pushed, 0);

    const env = { MCC_REGISTRY_USERNAME: "builder", MCC_REGISTRY_PASSWORD: "s3cret" };
    const first = build(dir, join(work, "cache-tls-one"), ["--cache-to", repo, ...tls], env);
    assert.is(first.status, 0, first.stderr);
    assert.ok((first.shared?.pushed ?? 0) >= 3, JSON.stringify(first.shared));
    const second = build(dir, join(work, "cache-tls-two"), ["--cache-from", repo, ...tls], env);
    assert.is(second.status, 0, second.stderr);
    assert.is(second.digest, first.digest);
    assert.ok((second.shared?.hits ?? 0) >= 3);
    // Without the CA the certificate is not trusted: said, and the build goes on from the local cache.
    const untrusted = build(dir, join(work, "cache-tls-two"), ["--cache-to", repo], env);
    assert.is(untrusted.status, 0, untrusted.stderr);
    assert.match(untrusted.shared?.problem ?? "", /certificate/i);
    // Plain http to a host that is not loopback is refused before anything is built.
    const refused = build(dir, join(work, "cache-tls-two"), ["--cache-from", "registry.invalid/team/cache", "--insecure"]);
    assert.is(refused.status, 2);
    assert.match(refused.errors.join("\n"), /loopback/);
  } finally {
    await registry.stop();
  }
});

test.after(() => {
  rmSync(work, { recursive: true, force: true });
});

test.run();
