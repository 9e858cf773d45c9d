// The spec memo (src/pipeline/spec-memo.ts): a spec's parse and validation, kept in the cache
// for the next build of the same text by the same code. A hit must give exactly what parsing
// gives; any change of text, path, options or code must miss; an entry of another shape is
// ignored; the spec's files are checked on every load.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createBlobStore } from "../../src/cache/store.js";
import type { Host } from "../../src/host/host.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { loadSpec, type LoadedSpec } from "../../src/pipeline/load-spec.js";
import { survivesJson, type SpecMemo } from "../../src/pipeline/spec-memo.js";
import { repoRoot } from "../helpers.js";

const CACHE = "/cache";
const memoOf = (host: Host, buildId = "build-a"): SpecMemo => ({ store: createBlobStore(host, CACHE), buildId });

/** What a load gives, as plain data to compare. */
function shape(loaded: LoadedSpec): unknown {
  return { spec: loaded.spec, value: loaded.ast?.value, locations: loaded.ast === undefined ? undefined : [...loaded.ast.locations], source: loaded.source, diagnostics: loaded.diagnostics };
}

/** The memo entries in the cache: the files under meta/ whose key names the spec memo. */
async function entries(host: Host): Promise<{ path: string; kept: { key: string; memo: Record<string, unknown> } }[]> {
  const names = (await host.readdir(join(CACHE, "meta")).catch(() => [])) ?? [];
  const out = [];
  for (const name of names) {
    const path = join(CACHE, "meta", name);
    const kept = JSON.parse(new TextDecoder().decode(await host.readFile(path)));
    if (typeof kept.key === "string" && kept.key.startsWith('["spec-memo"')) out.push({ path, kept });
  }
  return out;
}

const examples = readdirSync(join(repoRoot, "examples")).filter((f) => f.endsWith(".yml") || f.endsWith(".mcc"));

test("every example loads the same from its memo as from parsing, and is kept once", async () => {
  assert.ok(examples.length >= 10, examples.join(" "));
  for (const name of examples) {
    const dir = join(repoRoot, "examples");
    const tree: Record<string, string | Uint8Array> = {};
    // The example and the files it names (directories are walked by the file check).
    for (const f of readdirSync(dir, { recursive: true }) as string[]) {
      try {
        tree[join("/repo", f)] = readFileSync(join(dir, f));
      } catch {
        // a directory
      }
    }
    const host = createMemoryHost(tree);
    const path = join("/repo", name);
    const parsed = await loadSpec(host, path, { defaultArch: "amd64" });
    assert.ok(parsed.spec !== undefined, `${name}: ${JSON.stringify(parsed.diagnostics)}`);
    const first = await loadSpec(host, path, { defaultArch: "amd64" }, memoOf(host));
    assert.equal((await entries(host)).length, 1, name);
    const second = await loadSpec(host, path, { defaultArch: "amd64" }, memoOf(host));
    assert.equal(shape(first), shape(parsed), name);
    assert.equal(shape(second), shape(parsed), name);
    assert.equal((await entries(host)).length, 1, name);
  }
});

test("a hit is read from the memo; text, path, options and code each have their own", async () => {
  const text = "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\n";
  const host = createMemoryHost({ "/repo/spec.yml": text, "/repo/other.yml": text });
  const load = (path = "/repo/spec.yml", arch: "amd64" | "arm64" = "amd64", buildId = "build-a") => loadSpec(host, path, { defaultArch: arch }, memoOf(host, buildId));
  assert.is((await load()).spec?.name, "hello");

  // Mark the one entry: a load that gives the mark read it, one that does not parsed anew.
  const [entry] = await entries(host);
  if (entry === undefined) throw new Error("no memo kept");
  (entry.kept.memo["spec"] as { name: string }).name = "from-the-memo";
  await host.writeFileAtomic(entry.path, JSON.stringify(entry.kept));
  assert.is((await load()).spec?.name, "from-the-memo");

  assert.is((await load("/repo/other.yml")).spec?.name, "hello", "another path");
  assert.is((await load("/repo/spec.yml", "arm64")).spec?.name, "hello", "other options");
  assert.is((await load("/repo/spec.yml", "amd64", "build-b")).spec?.name, "hello", "other code");
  await host.writeFileAtomic("/repo/spec.yml", `${text}# a comment\n`);
  assert.is((await load()).spec?.name, "hello", "another text");
  assert.is((await entries(host)).length, 5);
});

test("an entry of another shape is ignored and the spec parsed again", async () => {
  const text = "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\n";
  const host = createMemoryHost({ "/repo/spec.yml": text });
  const expected = shape(await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }));
  await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }, memoOf(host));
  const [entry] = await entries(host);
  if (entry === undefined) throw new Error("no memo kept");
  const damaged = [
    "{ not json",
    JSON.stringify({ ...entry.kept, key: "another key" }),
    JSON.stringify({ ...entry.kept, memo: { ...entry.kept.memo, locations: {} } }),
    JSON.stringify({ ...entry.kept, memo: { ...entry.kept.memo, locations: [["/name"]] } }),
    JSON.stringify({ ...entry.kept, memo: { ...entry.kept.memo, diagnostics: null } }),
    JSON.stringify({ ...entry.kept, memo: { ...entry.kept.memo, spec: "hello" } }),
  ];
  for (const bytes of damaged) {
    await host.writeFileAtomic(entry.path, bytes);
    assert.equal(shape(await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }, memoOf(host))), expected, bytes.slice(0, 60));
  }
});

test("a spec with errors is not kept; its diagnostics are those of parsing", async () => {
  const text = "name: hello\npackages: [hello]\nexecutable: usr/bin/hello\nmounts: 3\n";
  const host = createMemoryHost({ "/repo/spec.yml": text });
  const plain = await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" });
  assert.ok(plain.diagnostics.some((d) => d.severity === "error"));
  for (let i = 0; i < 2; i++) assert.equal(shape(await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }, memoOf(host))), shape(plain));
  assert.is((await entries(host)).length, 0);
});

test("the spec's files are checked on every load, a memo hit too", async () => {
  const text = "name: app\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - path: /etc/app.conf\n    source: app.conf\n";
  const host = createMemoryHost({ "/repo/spec.yml": text, "/repo/app.conf": "x=1\n" });
  const load = () => loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }, memoOf(host));
  assert.ok((await load()).spec !== undefined);
  assert.is((await entries(host)).length, 1);
  await host.remove("/repo/app.conf");
  const missing = await load();
  assert.is(missing.spec, undefined);
  assert.equal(
    missing.diagnostics.map((d) => d.code),
    (await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" })).diagnostics.map((d) => d.code),
  );
  assert.ok(missing.diagnostics.length > 0);
});

test("a memo that cannot be written costs the next load its parse, not this one its result", async () => {
  const text = "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\n";
  const host = createMemoryHost({ "/repo/spec.yml": text });
  const store = createBlobStore(host, CACHE);
  const refusing: SpecMemo = { store: { readMeta: store.readMeta, writeMeta: () => Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" })) }, buildId: "build-a" };
  const loaded = await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" }, refusing);
  assert.equal(shape(loaded), shape(await loadSpec(host, "/repo/spec.yml", { defaultArch: "amd64" })));
});

test("survivesJson: only what JSON gives back exactly", () => {
  for (const ok of [null, "a", 0, 1.5, -2, true, [], {}, { a: [1, { b: "c" }] }]) assert.ok(survivesJson(ok), JSON.stringify(ok));
  // eslint-disable-next-line no-sparse-arrays
  for (const bad of [undefined, Infinity, NaN, -0, { a: undefined }, [1, , 3], new Map(), new Date(0), [Symbol("s")], { n: -Infinity }, 10n]) assert.not.ok(survivesJson(bad), typeof bad);
});

test.run();
