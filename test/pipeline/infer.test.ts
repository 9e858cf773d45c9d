// The Debian packages your own files need, found for you: on the in-memory host, against a
// signed archive whose Contents index the test writes, the lock gains the package that ships
// each library or interpreter the spec's files need, with the reason; what the index cannot
// settle (several packages, none, inference turned off) is a diagnostic at the files entry.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Host } from "../../src/host/host.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { compile } from "../../src/pipeline/compile.js";
import { buildElf, EM } from "../support/elf.js";
import { tar } from "../support/craft-deb.js";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { createMemoryArchive, type MemoryArchive, memoryCompileRequest, memoryLibc6 } from "../support/memory-archive.js";

const LD = "/lib64/ld-linux-x86-64.so.2";
const elf = (needed: string[], extra: { runpath?: string; soname?: string; interp?: string } = {}) => buildElf({ is64: true, le: true, machine: EM.x86_64, needed, interp: LD, ...extra });
const lib = (soname: string, needed: string[] = []) => buildElf({ is64: true, le: true, machine: EM.x86_64, needed, soname });

function archive(): Promise<MemoryArchive> {
  return createMemoryArchive([
    memoryLibc6(),
    { name: "zlib1g", version: "1:1.2.13", depends: "libc6", files: { "/lib/x86_64-linux-gnu/libz.so.1": lib("libz.so.1", ["libc.so.6"]) } },
    { name: "libfoo-a", version: "1.0", files: { "/usr/lib/x86_64-linux-gnu/libfoo.so.1": lib("libfoo.so.1") } },
    { name: "libfoo-b", version: "1.0", files: { "/usr/lib/x86_64-linux-gnu/libfoo.so.1": lib("libfoo.so.1") } },
    { name: "python3-minimal", version: "3.11.2", depends: "libc6", files: { "/usr/bin/python3.11": elf(["libc.so.6"]) }, links: { "/usr/bin/python3": "python3.11" } },
    { name: "tzdata", version: "2024a", files: { "/usr/share/zoneinfo/UTC": "TZif" } },
  ]);
}

function hostFor(arch: MemoryArchive, files: Record<string, Uint8Array | string>, entries: string[], from: string[] = []): Host {
  const spec = ["name: mine", "from:", "  release: testrel", `  mirror: ${arch.url}`, "  keyring: archive.gpg", ...from, "packages: [tzdata]", "executable: /usr/local/bin/app", "files:", ...entries, "output: {format: oci, path: out/mine}", ""].join("\n");
  const modes = Object.fromEntries(Object.keys(files).map((p) => [p, 0o755]));
  return createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring, ...files }, { web: arch.web, now: new Date("2026-01-01T00:00:00Z"), modes });
}

const request = memoryCompileRequest();

async function lockedReasons(host: Host): Promise<[string, string][]> {
  const lock = JSON.parse(new TextDecoder().decode(await host.readFile("/work/app/spec.lock.json"))) as { archs: { amd64: { packages: { name: string; reason: string }[] } } };
  return lock.archs.amd64.packages.map((p) => [p.name, p.reason]);
}

test("the libraries your program needs are found in the Contents index and locked with the reason", async () => {
  const host = hostFor(await archive(), { "/work/app/app": elf(["libz.so.1", "libc.so.6"]) }, ["  - {path: /usr/local/bin/app, source: app}"]);
  const result = await compile(host, request);
  if (result.kind !== "built") throw new Error(JSON.stringify(result));
  // The loader (PT_INTERP) is the first need, and libc6 ships it: one package, one reason.
  assert.equal(await lockedReasons(host), [
    ["libc6", "/lib64/ld-linux-x86-64.so.2, needed by /usr/local/bin/app"],
    ["tzdata", "requested"],
    ["zlib1g", "libz.so.1, needed by /usr/local/bin/app"],
  ]);
  // Built again, the lock is current: the same needs, nothing resolved again.
  const again = await compile(host, request);
  assert.is(again.kind, "built");
});

test("a library shipped beside the program ($ORIGIN) needs no package; a script's #! interpreter is found too", async () => {
  const host = hostFor(
    await archive(),
    {
      "/work/app/app/bin/app": elf(["libgreet.so.1", "libc.so.6"], { runpath: "$ORIGIN/../lib" }),
      "/work/app/app/lib/libgreet.so.1": lib("libgreet.so.1", ["libc.so.6"]),
      "/work/app/tool.py": "#!/usr/bin/python3\nprint('hi')\n",
    },
    ["  - {path: /opt/app, source: app}", "  - {path: /usr/local/bin/tool, source: tool.py}", "  - {path: /usr/local/bin/app, content: \"#!/opt/app/bin/app\\n\"}"],
  );
  const result = await compile(host, request);
  if (result.kind !== "built") throw new Error(JSON.stringify(result));
  assert.equal(await lockedReasons(host), [
    ["libc6", "/lib64/ld-linux-x86-64.so.2, needed by /opt/app/bin/app"],
    ["python3-minimal", "/usr/bin/python3, needed by /usr/local/bin/tool"],
    ["tzdata", "requested"],
  ]);
});

test("a tarball unpacked under a path: its program traced, its libraries found, its files in the spec's layer", async () => {
  const tarball = await tar([
    { name: "./bin/", type: "directory", mode: 0o755 },
    { name: "./bin/app", mode: 0o755, body: elf(["libz.so.1", "libc.so.6"]) },
    { name: "./share/", type: "directory", mode: 0o755 },
    { name: "./share/data", mode: 0o600, body: "data\n" },
    { name: "./share/same", type: "link", linkname: "./share/data" },
  ]);
  const host = hostFor(await archive(), { "/work/app/app.tar": tarball }, ["  - {path: /opt/app, source: app.tar, unpack: true}", "  - {path: /usr/local/bin/app, content: \"#!/opt/app/bin/app\\n\"}"]);
  const result = await compile(host, request);
  if (result.kind !== "built") throw new Error(JSON.stringify(result));
  assert.equal((await lockedReasons(host)).map(([name]) => name), ["libc6", "tzdata", "zlib1g"]);
  const index = JSON.parse(new TextDecoder().decode(await host.readFile("/work/app/out/mine/index.json"))) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const named = index.manifests.find((m) => m.annotations !== undefined);
  const manifest = JSON.parse(new TextDecoder().decode(await host.readFile(`/work/app/out/mine/blobs/sha256/${named?.digest.slice(7)}`))) as { layers: { digest: string }[] };
  const own = gunzipSync(await host.readFile(`/work/app/out/mine/blobs/sha256/${manifest.layers[1]?.digest.slice(7)}`));
  const names: string[] = [];
  const x = extract();
  const done = (async () => {
    for await (const entry of x as unknown as AsyncIterable<{ header: { name: string; mode: number } } & AsyncIterable<Uint8Array>>) {
      names.push(`${entry.header.name} ${(entry.header.mode & 0o777).toString(8)}`);
      for await (const _ of entry) void _;
    }
  })();
  x.end(own);
  await done;
  assert.equal(names, ["opt/ 755", "opt/app/ 755", "opt/app/bin/ 755", "opt/app/bin/app 755", "opt/app/share/ 755", "opt/app/share/data 644", "opt/app/share/same 644", "usr/ 755", "usr/local/ 755", "usr/local/bin/ 755", "usr/local/bin/app 644"]);
});

test("several packages shipping the library, or none, are diagnostics at the files entry, not guesses", async () => {
  const host = hostFor(await archive(), { "/work/app/app": elf(["libfoo.so.1", "libnothere.so.9", "libc.so.6"]) }, ["  - {path: /usr/local/bin/app, source: app}"]);
  const result = await compile(host, request);
  if (result.kind !== "diagnostics") throw new Error(`expected diagnostics, got ${result.kind}`);
  assert.equal(
    result.diagnostics.map((d) => [d.code, d.line, d.message]),
    [
      ["MCC404", 9, "libfoo.so.1, needed by /usr/local/bin/app, is /usr/lib/x86_64-linux-gnu/libfoo.so.1 in several packages: libfoo-a, libfoo-b"],
      ["MCC405", 9, "libnothere.so.9, needed by /usr/local/bin/app, is in no package of the release"],
    ],
  );
  assert.is(await host.stat("/work/app/spec.lock.json"), undefined);
});

test("with from.infer false, a needed package not named is an error that names it", async () => {
  const host = hostFor(await archive(), { "/work/app/app": elf(["libz.so.1", "libc.so.6"]) }, ["  - {path: /usr/local/bin/app, source: app}"], ["  infer: false"]);
  const result = await compile(host, request);
  if (result.kind !== "diagnostics") throw new Error(`expected diagnostics, got ${result.kind}`);
  assert.equal(
    result.diagnostics.map((d) => [d.code, d.message]),
    [
      ["MCC406", "/lib64/ld-linux-x86-64.so.2, needed by /usr/local/bin/app: it is in the package libc6, which packages does not name"],
      ["MCC406", "libz.so.1, needed by /usr/local/bin/app: it is in the package zlib1g, which packages does not name"],
    ],
  );
});

test("an executable no package of the set ships: the diagnostic names the release's package that does", async () => {
  const arch = await archive();
  const spec = ["name: mine", "from:", "  release: testrel", `  mirror: ${arch.url}`, "  keyring: archive.gpg", "packages: [tzdata]", "executable: /usr/bin/python3", ""].join("\n");
  const host = createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring }, { web: arch.web, now: new Date("2026-01-01T00:00:00Z") });
  const result = await compile(host, request);
  if (result.kind !== "diagnostics") throw new Error(`expected diagnostics, got ${result.kind}`);
  assert.equal(result.diagnostics.map((d) => [d.code, d.hint]), [["MCC500", "the release's package python3-minimal ships it: add it to packages"]]);
});

test.run();
