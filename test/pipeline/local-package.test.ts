// A local .deb in `packages`, on the in-memory host: resolved against the archive as apt
// resolves `apt install ./app.deb`, pinned in the lock by path and sha256, built into the
// image with its dpkg record and SBOM entry under its own name; and each kind of file that is
// not a usable package refused at its spec line, with nothing written.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { collectBytes } from "../../src/host/host.js";
import type { Host } from "../../src/host/host.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { compile } from "../../src/pipeline/compile.js";
import { why } from "../../src/pipeline/why.js";
import { craftDeb } from "../support/craft-deb.js";
import { buildElf, EM } from "../support/elf.js";
import { createMemoryArchive, memoryDeb, type MemoryArchive, memoryCompileRequest, memoryLibc6 } from "../support/memory-archive.js";

const LD = "/lib64/ld-linux-x86-64.so.2";
const DEB = "/work/app/dist/zhello_1.0-1_amd64.deb";

function archive(): Promise<MemoryArchive> {
  return createMemoryArchive([
    memoryLibc6(),
  ]);
}

const elfOf = () => buildElf({ is64: true, le: true, machine: EM.x86_64, interp: LD, needed: ["libc.so.6"] });

const zhello = (arch = "amd64") =>
  memoryDeb({ name: "zhello", version: "1.0-1", depends: "libc6 (>= 2.34)", files: { "/usr/bin/zhello": buildElf({ is64: true, le: true, machine: EM.x86_64, interp: LD, needed: ["libc.so.6"] }) } }, arch);

function hostWith(arch: MemoryArchive, deb: Uint8Array, packages = "[./dist/zhello_1.0-1_amd64.deb]"): Host {
  const spec = ["name: zhello", "from:", "  release: testrel", `  mirror: ${arch.url}`, "  keyring: archive.gpg", `packages: ${packages}`, "executable: /usr/bin/zhello", "output: {format: oci, path: out/zhello}", ""].join("\n");
  return createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring, [DEB]: deb }, { web: arch.web, now: new Date("2026-01-01T00:00:00Z") });
}

const request = memoryCompileRequest;

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function layerFiles(host: Host): Promise<Map<string, string>> {
  const layout = "/work/app/out/zhello";
  const index = JSON.parse(text(await host.readFile(`${layout}/index.json`))) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const named = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] !== undefined);
  const manifest = JSON.parse(text(await host.readFile(`${layout}/blobs/sha256/${named?.digest.slice(7)}`))) as { layers: { digest: string }[] };
  const out = new Map<string, string>();
  const x = extract();
  const done = (async () => {
    for await (const entry of x as unknown as AsyncIterable<{ header: { name: string } } & AsyncIterable<Uint8Array>>) out.set(entry.header.name, text(await collectBytes(entry)));
  })();
  x.end(gunzipSync(await host.readFile(`${layout}/blobs/sha256/${manifest.layers[0]?.digest.slice(7)}`)));
  await done;
  return out;
}

test("a local .deb is resolved against the archive, pinned by path and digest, and built in under its own name", async () => {
  const arch = await archive();
  const host = hostWith(arch, await zhello());
  const result = await compile(host, request());
  if (result.kind !== "built") throw new Error(`not built: ${JSON.stringify(result)}`);
  const lock = JSON.parse(text(await host.readFile("/work/app/spec.lock.json"))) as { archs: { amd64: { packages: { name: string; archive: string; filename: string; reason: string }[] } } };
  const packages = lock.archs.amd64.packages;
  assert.equal(
    packages.map((p) => [p.name, p.archive, p.filename, p.reason]),
    [
      ["libc6", "mirror", "pool/main/l/libc6/libc6_2.36-9_amd64.deb", "zhello: libc6 (>= 2.34)"],
      ["zhello", "local", "dist/zhello_1.0-1_amd64.deb", "requested"],
    ],
  );
  const files = await layerFiles(host);
  assert.ok(files.has("usr/bin/zhello"));
  assert.match(files.get("var/lib/dpkg/status.d/zhello") ?? "", /^Package: zhello\nStatus: install ok installed\nVersion: 1\.0-1\n/);
  const sbom = JSON.parse(text(await host.readFile("/work/app/out/zhello.spdx.json"))) as { packages: { name: string; supplier?: string; externalRefs?: { referenceLocator: string }[] }[] };
  const entry = sbom.packages.find((p) => p.name === "zhello" && p.supplier !== undefined);
  assert.is(entry?.supplier, "NOASSERTION");
  assert.is(entry?.externalRefs?.[0]?.referenceLocator, "pkg:deb/zhello@1.0-1?arch=amd64");
});

test("a local .deb rebuilt after locking makes the lock stale: --frozen refuses, a plain build locks it again", async () => {
  const arch = await archive();
  const host = hostWith(arch, await zhello());
  assert.is((await compile(host, request())).kind, "built");
  const other = await memoryDeb({ name: "zhello", version: "1.0-1", depends: "libc6", files: { "/usr/bin/zhello": buildElf({ is64: true, le: true, machine: EM.x86_64, interp: LD, needed: ["libc.so.6"], runpath: "/opt" }) } });
  await host.remove(DEB);
  await host.createFile(DEB, other);
  const frozen = await compile(host, request(true));
  assert.is(frozen.kind, "diagnostics");
  if (frozen.kind === "diagnostics") assert.equal(frozen.diagnostics.map((d) => d.code), ["MCC411"]);
  assert.is((await compile(host, request())).kind, "built");
});

test("what unpacking made safe is reported for the image (a setuid bit cleared on a kept file, a device dropped), and mcc why says it", async () => {
  const arch = await archive();
  const control = "Package: zhello\nVersion: 1.0-1\nArchitecture: amd64\nDepends: libc6\n";
  const deb = await craftDeb(control, [
    { name: "./usr/", type: "directory", mode: 0o755 },
    { name: "./usr/bin/", type: "directory", mode: 0o755 },
    { name: "./usr/bin/zhello", mode: 0o4755, body: elfOf() },
    { name: "./usr/bin/unused", mode: 0o4755, body: "#!/bin/sh\n" },
    { name: "./dev/", type: "directory", mode: 0o755 },
    { name: "./dev/null", type: "character-device", mode: 0o666 },
  ]);
  const host = hostWith(arch, deb);
  const result = await compile(host, request());
  if (result.kind !== "built") throw new Error(JSON.stringify(result));
  const asked = await why(host, request(), "/dev/null");
  assert.equal(asked.kind === "explained" ? asked.lines : asked, ["/dev/null is not in the image: package zhello has it, and it was dropped as the package was unpacked: a character-device (device nodes and fifos are never kept)"]);
  assert.equal(result.outputs[0]?.images[0]?.extraction, [
    { pkg: "zhello", note: "/usr/bin/zhello: setuid/setgid/sticky bits cleared (mode 4755 -> 755)" },
    { pkg: "zhello", note: "./dev/null: a character-device (device nodes and fifos are never kept); dropped" },
  ]);
});

const bad: [string, () => Promise<Uint8Array>, RegExp][] = [
  ["a text file", async () => new TextEncoder().encode("not a package\n"), /is not a \.deb: not an ar archive/],
  ["a truncated .deb", async () => (await zhello()).subarray(0, 300), /is not a \.deb/],
  ["an ar archive without debian-binary", async () => (await craftDeb("Package: x\n", [])).subarray(0, 8), /is not a \.deb: no debian-binary member/],
  ["a control file without Package", async () => craftDeb("Version: 1.0\nArchitecture: amd64\n", []), /has no Package field in its control file/],
  ["a package name Debian refuses", async () => craftDeb("Package: Zhello\nVersion: 1.0\nArchitecture: amd64\n", []), /names itself "Zhello" in its control file: package names are lowercase/],
  ["another architecture's package", () => zhello("arm64"), /is built for arm64, not amd64/],
];

for (const [what, make, message] of bad) {
  test(`${what} is refused at its packages entry, and nothing is written`, async () => {
    const arch = await archive();
    const host = hostWith(arch, await make(), "\n  - ./dist/zhello_1.0-1_amd64.deb");
    const result = await compile(host, request());
    if (result.kind !== "diagnostics") throw new Error(`expected diagnostics, got ${result.kind}`);
    assert.equal(result.diagnostics.map((d) => [d.code, d.line]), [["MCC327", 7]]);
    assert.match(result.diagnostics[0]?.message ?? "", message);
    assert.is(await host.stat("/work/app/spec.lock.json"), undefined);
    assert.is(await host.stat("/work/app/out"), undefined);
  });
}

test.run();
