// A small signed Debian archive made in memory, in milliseconds: .debs assembled by hand
// (craft-deb.ts), a Packages index, a Release, and an InRelease clearsigned with a throwaway
// ed25519 key, served as a web of URLs to the in-memory host. Enough for a whole compile to
// run without a disk, a network or a tool.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import * as openpgp from "openpgp";
import type { MemoryWeb } from "../../src/host/memory-host.js";
import type { CompileRequest } from "../../src/pipeline/compile.js";
import { craftDeb, type TarItem } from "./craft-deb.js";
import { buildElf, EM } from "./elf.js";

export interface MemoryPackage {
  readonly name: string;
  readonly version: string;
  readonly depends?: string;
  /** Files by absolute path (the directories above them are made). */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** Modes by path (default 0755 under a bin directory, else 0644). */
  readonly modes?: Readonly<Record<string, number>>;
  /** Symlinks by path: their targets. */
  readonly links?: Readonly<Record<string, string>>;
}

export interface MemoryArchive {
  /** The mirror's base URL. */
  readonly url: string;
  /** The binary public keyring that verifies it. */
  readonly keyring: Uint8Array;
  readonly web: MemoryWeb;
  /** Served bytes by URL. */
  readonly files: Map<string, Uint8Array>;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The .deb of a package: its control file, then its directories, files and links in path order. */
export async function memoryDeb(pkg: MemoryPackage, arch = "amd64"): Promise<Buffer> {
  const control = [`Package: ${pkg.name}`, `Version: ${pkg.version}`, `Architecture: ${arch}`, "Maintainer: mcc tests <tests@example.invalid>", ...(pkg.depends ? [`Depends: ${pkg.depends}`] : []), `Description: test package ${pkg.name}`, ""].join("\n");
  const dirs = new Set<string>();
  const paths = [...Object.keys(pkg.files), ...Object.keys(pkg.links ?? {})];
  for (const path of paths) for (let d = path.slice(0, path.lastIndexOf("/")); d !== ""; d = d.slice(0, d.lastIndexOf("/"))) dirs.add(d);
  const items: TarItem[] = [
    ...[...dirs].sort().map((d): TarItem => ({ name: `.${d}/`, type: "directory", mode: 0o755 })),
    ...Object.entries(pkg.files)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, body]): TarItem => ({ name: `.${path}`, body, mode: pkg.modes?.[path] ?? (/\/s?bin\//.test(path) ? 0o755 : 0o644) })),
    ...Object.entries(pkg.links ?? {}).map(([path, target]): TarItem => ({ name: `.${path}`, type: "symlink", linkname: target })),
  ];
  return craftDeb(control, items);
}

/** The archive of `release` (component main; amd64 unless `archs` says) holding the packages, at `url`. */
export async function createMemoryArchive(packages: readonly MemoryPackage[], options: { url?: string; release?: string; archs?: readonly string[] } = {}): Promise<MemoryArchive> {
  const url = options.url ?? "http://archive.invalid/debian";
  const release = options.release ?? "testrel";
  const archs = options.archs ?? ["amd64"];
  const files = new Map<string, Uint8Array>();
  const indexes: [string, Uint8Array][] = [];
  for (const arch of archs) {
    const stanzas: string[] = [];
    for (const pkg of packages) {
      const deb = await memoryDeb(pkg, arch);
      const filename = `pool/main/${pkg.name[0]}/${pkg.name}/${pkg.name}_${pkg.version}_${arch}.deb`;
      files.set(`${url}/${filename}`, deb);
      stanzas.push([`Package: ${pkg.name}`, `Version: ${pkg.version}`, `Architecture: ${arch}`, ...(pkg.depends ? [`Depends: ${pkg.depends}`] : []), `Filename: ${filename}`, `Size: ${deb.length}`, `SHA256: ${sha256(deb)}`, ""].join("\n"));
    }
    const text = new TextEncoder().encode(stanzas.join("\n"));
    indexes.push([`main/binary-${arch}/Packages`, text], [`main/binary-${arch}/Packages.gz`, gzipSync(text)], [`main/Contents-${arch}.gz`, gzipSync(contentsOf(packages))]);
  }
  const releaseText = [
    "Origin: mcc-tests",
    `Suite: ${release}`,
    `Codename: ${release}`,
    "Date: Sat, 01 Jan 2000 00:00:00 UTC",
    `Architectures: ${archs.join(" ")}`,
    "Components: main",
    "SHA256:",
    ...indexes.map(([path, data]) => ` ${sha256(data)} ${String(data.length).padStart(8)} ${path}`),
    "",
  ].join("\n");
  for (const [path, data] of indexes) files.set(`${url}/dists/${release}/${path}`, data);
  const { privateKey, publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ name: "mcc test archive", email: "archive@example.invalid" }], format: "object", date: new Date(0) });
  const signed = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: releaseText }), signingKeys: privateKey, date: new Date(0) });
  files.set(`${url}/dists/${release}/InRelease`, new TextEncoder().encode(signed));
  return { url, keyring: publicKey.write(), web: (u) => files.get(u), files };
}

/** Contents: each file (and link) with the packages that ship it, as `path section/package,...`. */
function contentsOf(packages: readonly MemoryPackage[]): string {
  const owners = new Map<string, string[]>();
  for (const pkg of packages) {
    for (const path of [...Object.keys(pkg.files), ...Object.keys(pkg.links ?? {})]) owners.set(path.slice(1), [...(owners.get(path.slice(1)) ?? []), `libs/${pkg.name}`]);
  }
  return [...owners].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, names]) => `${path.padEnd(60)} ${names.join(",")}\n`).join("");
}

/** The spec's directory of a build on the in-memory host, and the clock its archive is fresh at. */
export const MEMORY_SPEC = "/work/app/spec.yml";
export const MEMORY_NOW = new Date("2026-01-01T00:00:00Z");

/** `mcc compile /work/app/spec.yml` as the in-memory tests ask for it (`frozen`: --frozen). */
export function memoryCompileRequest(frozen = false): CompileRequest {
  return {
    specPath: MEMORY_SPEC,
    hostArch: "amd64",
    lock: { cacheRoot: "/cache", update: false, frozen, offline: false, allowExpired: false, env: {} },
    epoch: 0,
    cwd: "/work/app",
    cacheRoot: "/cache",
    env: {},
    offline: false,
    chown: false,
  };
}

/** The amd64 loader, as PT_INTERP names it. */
export const MEMORY_LD = "/lib64/ld-linux-x86-64.so.2";

/** A libc6 of the in-memory archive: libc.so.6 and the loader, as ELF files the tracer reads. */
export function memoryLibc6(extra: Readonly<Record<string, string | Uint8Array>> = {}): MemoryPackage {
  return {
    name: "libc6",
    version: "2.36-9",
    files: {
      "/lib/x86_64-linux-gnu/libc.so.6": buildElf({ is64: true, le: true, machine: EM.x86_64, needed: [], soname: "libc.so.6" }),
      [MEMORY_LD]: buildElf({ is64: true, le: true, machine: EM.x86_64, needed: [], soname: "ld-linux-x86-64.so.2" }),
      ...extra,
    },
  };
}
