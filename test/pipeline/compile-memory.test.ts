// A whole `mcc compile` on the in-memory host: the spec and its files, the archive (signed,
// verified, resolved and locked), the fetch, unpack, trace, layer, config, manifest, SBOM,
// provenance and the OCI layout all happen in memory, with no disk, network or tool. What it
// writes is read back and checked; a second build in a fresh host gives the same bytes.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { collectBytes } from "../../src/host/host.js";
import type { Host } from "../../src/host/host.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { compile } from "../../src/pipeline/compile.js";
import { extract } from "tar-stream";
import { buildElf, EM } from "../support/elf.js";
import { createMemoryArchive, type MemoryArchive, memoryCompileRequest, memoryLibc6 } from "../support/memory-archive.js";

const LD = "/lib64/ld-linux-x86-64.so.2";

async function archive(): Promise<MemoryArchive> {
  return createMemoryArchive([
    memoryLibc6({ "/usr/share/doc/libc6/copyright": "Copyright: the GNU C Library authors\n" }),
    {
      name: "hello",
      version: "1.0-1",
      depends: "libc6 (>= 2.34)",
      files: {
        "/usr/bin/hello": buildElf({ is64: true, le: true, machine: EM.x86_64, interp: LD, needed: ["libc.so.6"] }),
        "/usr/share/doc/hello/README": "hello, world\n",
      },
    },
  ]);
}

function hostFor(arch: MemoryArchive): Host {
  const spec = [
    "name: hello",
    "from:",
    "  release: testrel",
    `  mirror: ${arch.url}`,
    "  keyring: archive.gpg",
    "packages: [hello]",
    "executable: /usr/bin/hello",
    "files:",
    "  - path: /read/hello.conf",
    "    source: hello.conf",
    "output:",
    "  format: oci",
    "  path: out/hello",
    "",
  ].join("\n");
  return createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring, "/work/app/hello.conf": "greeting = hello\n" }, { web: arch.web, now: new Date("2026-01-01T00:00:00Z") });
}

const request = memoryCompileRequest();

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const json = async (host: Host, path: string) => JSON.parse(text(await host.readFile(path))) as Record<string, unknown>;
const blob = (host: Host, digest: string) => host.readFile(`/work/app/out/hello/blobs/sha256/${digest.replace(/^sha256:/, "")}`);

/** The paths (and link targets) in a gzipped tar. */
async function layerPaths(gz: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  const x = extract();
  const done = (async () => {
    for await (const entry of x as unknown as AsyncIterable<{ header: { name: string; linkname?: string | null }; resume(): void } & AsyncIterable<Uint8Array>>) {
      out.push(entry.header.linkname ? `${entry.header.name} -> ${entry.header.linkname}` : entry.header.name);
      await collectBytes(entry);
    }
  })();
  x.end(gunzipSync(gz));
  await done;
  return out;
}

test("compile runs from spec to OCI layout in memory: locked, traced, layered and written", async () => {
  const arch = await archive();
  const host = hostFor(arch);
  const result = await compile(host, request);
  if (result.kind !== "built") throw new Error(`not built: ${JSON.stringify(result)}`);
  assert.is(result.outputs.length, 1);
  const [output] = result.outputs;
  assert.is(output?.format, "oci");
  assert.equal(output?.images.map((i) => i.arch), ["amd64"]);

  // The lock pins both packages by the digests the signed index gave.
  const lock = text(await host.readFile("/work/app/spec.lock.json"));
  for (const [url, bytes] of arch.files) if (url.endsWith(".deb")) assert.ok(lock.includes(createHash("sha256").update(bytes).digest("hex")), `the lock pins ${url}`);

  // The layout: its index names the manifest, whose layer holds the traced closure only.
  assert.equal(await json(host, "/work/app/out/hello/oci-layout"), { imageLayoutVersion: "1.0.0" });
  // One entry, named NAME:TAG, so every client takes it without being told which; the SBOM
  // and provenance are in the index of referrers the annotation names, each about the image.
  const index = (await json(host, "/work/app/out/hello/index.json")) as { manifests: { digest: string; annotations?: Record<string, string> }[]; annotations?: Record<string, string> };
  assert.is(index.manifests.length, 1);
  const named = index.manifests[0];
  assert.equal(named?.annotations, { "org.opencontainers.image.ref.name": "hello:latest" });
  assert.is(named?.digest, output?.digest);
  const referrers = JSON.parse(text(await blob(host, index.annotations?.["vnd.mcc.referrers"] ?? ""))) as { manifests: { digest: string; artifactType: string }[] };
  assert.equal(referrers.manifests.map((m) => m.artifactType), ["application/spdx+json", "application/vnd.mcc.provenance.v2+json"]);
  for (const m of referrers.manifests) assert.is((JSON.parse(text(await blob(host, m.digest))) as { subject: { digest: string } }).subject.digest, named?.digest);
  const manifest = JSON.parse(text(await blob(host, named?.digest ?? ""))) as { layers: { digest: string }[]; config: { digest: string } };
  // Two layers: the packages' files, then the spec's own.
  assert.is(manifest.layers.length, 2);
  const paths = await layerPaths(await blob(host, manifest.layers[0]?.digest ?? ""));
  assert.equal(await layerPaths(await blob(host, manifest.layers[1]?.digest ?? "")), ["read/", "read/hello.conf"]);
  // The program, the library it needs and its loader (under merged /usr), the records
  // scanners read; not the packages' documentation, not the spec's file.
  assert.equal(
    paths.filter((p) => !p.endsWith("/")),
    [
      "bin -> usr/bin",
      "etc/debian_version",
      "etc/group",
      "etc/nsswitch.conf",
      "etc/os-release -> ../usr/lib/os-release",
      "etc/passwd",
      "lib -> usr/lib",
      "lib64 -> usr/lib64",
      "sbin -> usr/sbin",
      "usr/bin/hello",
      "usr/lib/os-release",
      "usr/lib/x86_64-linux-gnu/libc.so.6",
      "usr/lib64/ld-linux-x86-64.so.2",
      "var/lib/dpkg/status.d/hello",
      "var/lib/dpkg/status.d/hello.md5sums",
      "var/lib/dpkg/status.d/libc6",
      "var/lib/dpkg/status.d/libc6.md5sums",
    ],
  );
  const config = JSON.parse(text(await blob(host, manifest.config.digest))) as { config: { Entrypoint: string[] } };
  assert.equal(config.config.Entrypoint, ["/usr/bin/hello"]);

  // The SBOM beside the output names both packages; nothing was left in the cache's temporaries.
  const sbom = text(await host.readFile("/work/app/out/hello.spdx.json"));
  assert.ok((await host.stat("/work/app/out/hello.provenance.json")) !== undefined, "the provenance is written beside the layout");
  assert.ok(sbom.includes('"hello"') && sbom.includes('"libc6"'));
  assert.equal((await host.readdir("/cache/tmp")) ?? [], []);
});

test("the same spec and archive give the same image in a fresh host; a rebuild reuses every step", async () => {
  const arch = await archive();
  const first = hostFor(arch);
  const a = await compile(first, request);
  const b = await compile(hostFor(arch), request);
  if (a.kind !== "built" || b.kind !== "built") throw new Error("not built");
  assert.is(a.outputs[0]?.digest, b.outputs[0]?.digest);
  const again = await compile(first, request);
  if (again.kind !== "built") throw new Error("not built");
  assert.is(again.outputs[0]?.digest, a.outputs[0]?.digest);
  assert.is(again.ran, 1, "only the output is written again");
});

test("a change to the spec's files changes only their layer; with layers: one the image has one", async () => {
  const arch = await archive();
  const first = hostFor(arch);
  const a = await compile(first, request);
  const second = hostFor(arch);
  await second.remove("/work/app/hello.conf");
  await second.createFile("/work/app/hello.conf", "greeting = bonjour\n");
  const b = await compile(second, request);
  if (a.kind !== "built" || b.kind !== "built") throw new Error("not built");
  const layersOf = async (host: Host, digest: string) => (JSON.parse(text(await blob(host, digest))) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
  const [aPackages, aSpec] = await layersOf(first, a.outputs[0]?.digest ?? "");
  const [bPackages, bSpec] = await layersOf(second, b.outputs[0]?.digest ?? "");
  assert.is(bPackages, aPackages);
  assert.is.not(bSpec, aSpec);
  const one = hostFor(arch);
  const spec = text(await one.readFile("/work/app/spec.yml"));
  await one.writeFileAtomic("/work/app/spec.yml", spec + "layers: one\n");
  const c = await compile(one, request);
  if (c.kind !== "built") throw new Error("not built");
  assert.is((await layersOf(one, c.outputs[0]?.digest ?? "")).length, 1);
});

test("a new args rewrites the SBOM from its kept files part: the bytes a fresh build writes, read from the cache, and a damaged part is made again", async () => {
  const arch = await archive();
  const host = hostFor(arch);
  const spec = text(await host.readFile("/work/app/spec.yml"));
  const withArgs = async (h: Host, args: string) => h.writeFileAtomic("/work/app/spec.yml", `${spec}args: ["${args}"]\n`);
  const build = async (h: Host) => {
    const result = await compile(h, request);
    if (result.kind !== "built") throw new Error(JSON.stringify(result));
    return { digest: result.outputs[0]?.digest, sbom: text(await h.readFile("/work/app/out/hello.spdx.json")) };
  };
  const first = await build(host);
  await withArgs(host, "--one");
  const again = await build(host);
  assert.is.not(again.digest, first.digest, "another image");
  const fresh = hostFor(arch);
  await withArgs(fresh, "--one");
  assert.is((await build(fresh)).sbom, again.sbom, "the same SBOM as a build that made every part afresh");
  assert.ok(again.sbom.includes(again.digest?.slice("sha256:".length) ?? "?"), "it names the new image");

  // The kept part is what the build read: marked, the mark shows in the next SBOM.
  const kept: string[] = [];
  for (const name of (await host.readdir("/cache/meta")) ?? []) {
    const value = JSON.parse(text(await host.readFile(`/cache/meta/${name}`))) as { packages?: unknown; rest?: unknown };
    if (typeof value.packages === "string" && typeof value.rest === "string") kept.push(`/cache/meta/${name}`);
  }
  assert.is(kept.length, 1, "one files part for one tree");
  const path = kept[0] as string;
  const part = JSON.parse(text(await host.readFile(path))) as { packages: string; rest: string };
  await host.writeFileAtomic(path, JSON.stringify({ ...part, packages: part.packages.replace('"libc6"', '"libc6-from-the-cache"') }));
  await withArgs(host, "--two");
  assert.ok((await build(host)).sbom.includes('"libc6-from-the-cache"'));
  // Another tree is another files part: the mark does not carry over to it.
  const withInclude = async (h: Host) => h.writeFileAtomic("/work/app/spec.yml", `${spec}args: ["--two"]\ninclude: ["/usr/share/doc/hello/README"]\n`);
  await withInclude(host);
  const other = await build(host);
  assert.ok(other.sbom.includes("README") && !other.sbom.includes("libc6-from-the-cache"), "made for the other tree");
  const otherFresh = hostFor(arch);
  await withInclude(otherFresh);
  assert.is(other.sbom, (await build(otherFresh)).sbom);

  // An entry of another shape is ignored and made again: the SBOM is right, the entry mended.
  await host.writeFileAtomic(path, JSON.stringify({ packages: 1 }));
  await withArgs(host, "--three");
  const mended = await build(host);
  const fresher = hostFor(arch);
  await withArgs(fresher, "--three");
  assert.is(mended.sbom, (await build(fresher)).sbom);
  assert.is(typeof (JSON.parse(text(await host.readFile(path))) as { packages: unknown }).packages, "string");
});

test("metadata can turn the provenance and the SBOM off: the layout then names no referrers, and nothing is written beside it", async () => {
  const arch = await archive();
  for (const [metadata, types] of [
    ["metadata: {provenance: false}\n", ["application/spdx+json"]],
    ["metadata: {sbom: false, provenance: false}\n", []],
  ] as const) {
    const host = hostFor(arch);
    await host.writeFileAtomic("/work/app/spec.yml", text(await host.readFile("/work/app/spec.yml")) + metadata);
    const result = await compile(host, request);
    if (result.kind !== "built") throw new Error(JSON.stringify(result));
    const index = (await json(host, "/work/app/out/hello/index.json")) as { manifests: unknown[]; annotations?: Record<string, string> };
    assert.is(index.manifests.length, 1);
    const named = index.annotations?.["vnd.mcc.referrers"];
    const listed = named === undefined ? [] : (JSON.parse(text(await blob(host, named))) as { manifests: { artifactType: string }[] }).manifests.map((m) => m.artifactType);
    assert.equal(listed, types);
    assert.is(await host.stat("/work/app/out/hello.provenance.json"), undefined);
    assert.is((await host.stat("/work/app/out/hello.spdx.json")) !== undefined, types.length > 0);
  }
});

test("a .deb the mirror changed after signing is refused, and nothing is written", async () => {
  const arch = await archive();
  const debUrl = [...arch.files.keys()].find((u) => u.endsWith(".deb") && u.includes("/hello_")) as string;
  const original = arch.files.get(debUrl) as Uint8Array;
  const altered = new Uint8Array(original);
  altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
  arch.files.set(debUrl, altered);
  const host = hostFor(arch);
  await compile(host, request).then(
    () => assert.unreachable("compiled an altered package"),
    (error: Error) => assert.match(error.message, /does not match its signed checksum/),
  );
  assert.is(await host.stat("/work/app/out/hello"), undefined);
  assert.equal((await host.readdir("/cache/tmp")) ?? [], []);
});

test.run();
