// A small Debian archive the tests build themselves with the real tools (dpkg-deb, xz, gpg),
// signed with a throwaway key and served over HTTP on 127.0.0.1, so the source stage is
// tested end to end without the network: signatures, hashes, by-hash, suites, tampering.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { trackServer } from "./children.js";

export interface TestPackage {
  name: string;
  version: string;
  arch?: string;
  depends?: string;
  preDepends?: string;
  provides?: string;
  essential?: boolean;
  priority?: string;
  /** Files in the package: path -> content. */
  files?: Record<string, string | Buffer>;
  /** The data.tar compression (dpkg-deb -Z). */
  compression?: "xz" | "zstd" | "gzip" | "none";
  /** Which suite of the archive lists it (default: the release itself). */
  suite?: "release" | "updates" | "security";
  /** The .deb as it is, made by hand (craftDeb): what dpkg-deb would never build. */
  deb?: Buffer;
}

export interface TestArchive {
  /** The mirror's base URL; the security archive is at `${url}-security`. */
  readonly url: string;
  /** The binary keyring with the throwaway public key. */
  readonly keyring: string;
  /** A keyring with another key, which did not sign this archive. */
  readonly otherKeyring: string;
  /** Served bytes by URL path; tests may replace entries to tamper. */
  readonly files: Map<string, Buffer>;
  /** Paths answered with a truncated body (the first half), to simulate a cut download. */
  readonly truncate: Set<string>;
  /** Paths answered once with a truncated body, then whole: a transient cut. */
  readonly truncateOnce: Set<string>;
  /** How many GETs each path received. */
  readonly hits: Map<string, number>;
  /** While true, every connection is cut at once: the mirror has gone away. */
  down: boolean;
  readonly dir: string;
  /** Re-signs a suite after its Release was changed (to test what a valid signature covers). */
  sign(text: string): Buffer;
  close(): Promise<void>;
}

const RELEASE = "testrel";

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function gpg(home: string, args: string[], input?: Buffer): Buffer {
  return execFileSync("gpg", ["--homedir", home, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", ...args], {
    input,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

function makeKey(home: string, uid: string): Buffer {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  gpg(home, ["--quick-gen-key", uid, "ed25519", "sign", "0"]);
  return gpg(home, ["--export"]);
}

export function buildDeb(dir: string, pkg: TestPackage): Buffer {
  if (pkg.deb !== undefined) {
    writeFileSync(join(dir, `${pkg.name}_${pkg.version}.deb`), pkg.deb);
    return pkg.deb;
  }
  const root = join(dir, `${pkg.name}_${pkg.version}`);
  mkdirSync(join(root, "DEBIAN"), { recursive: true });
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    `Architecture: ${pkg.arch ?? "amd64"}`,
    "Maintainer: mcc tests <tests@example.invalid>",
    ...(pkg.preDepends ? [`Pre-Depends: ${pkg.preDepends}`] : []),
    ...(pkg.depends ? [`Depends: ${pkg.depends}`] : []),
    ...(pkg.provides ? [`Provides: ${pkg.provides}`] : []),
    ...(pkg.essential ? ["Essential: yes"] : []),
    `Description: test package ${pkg.name}`,
    "",
  ].join("\n");
  writeFileSync(join(root, "DEBIAN", "control"), control);
  for (const [path, content] of Object.entries(pkg.files ?? { [`/usr/share/doc/${pkg.name}/README`]: `${pkg.name} ${pkg.version}\n` })) {
    const full = join(root, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, content);
  }
  const out = join(dir, `${pkg.name}_${pkg.version}.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", `-Z${pkg.compression ?? "xz"}`, "--build", root, out], { stdio: "pipe" });
  return readFileSync(out);
}

export async function createTestArchive(packages: readonly TestPackage[]): Promise<TestArchive> {
  const dir = mkdtempSync(join(tmpdir(), "mcc-archive-"));
  const home = join(dir, "gnupg");
  const keyringBytes = makeKey(home, "mcc test archive <archive@example.invalid>");
  const keyring = join(dir, "archive.gpg");
  writeFileSync(keyring, keyringBytes);
  const otherHome = join(dir, "gnupg-other");
  const otherKeyring = join(dir, "other.gpg");
  writeFileSync(otherKeyring, makeKey(otherHome, "someone else <other@example.invalid>"));

  const files = new Map<string, Buffer>();
  const suites = { release: RELEASE, updates: `${RELEASE}-updates`, security: `${RELEASE}-security` } as const;
  const stanzas: Record<string, string[]> = { release: [], updates: [], security: [] };
  for (const pkg of packages) {
    const deb = buildDeb(dir, pkg);
    const where = pkg.suite ?? "release";
    const prefix = where === "security" ? "/debian-security" : "/debian";
    const filename = `pool/main/${pkg.name[0]}/${pkg.name}/${pkg.name}_${pkg.version}_${pkg.arch ?? "amd64"}.deb`;
    files.set(`${prefix}/${filename}`, deb);
    const control = execFileSync("dpkg-deb", ["--field", join(dir, `${pkg.name}_${pkg.version}.deb`)]).toString().trimEnd();
    const withPriority = pkg.priority ? `${control}\nPriority: ${pkg.priority}` : control;
    stanzas[where]?.push(`${withPriority}\nFilename: ${filename}\nSize: ${deb.length}\nSHA256: ${sha256(deb)}\n`);
  }
  const sign = (text: string) => gpg(home, ["--clearsign", "--digest-algo", "SHA256"], Buffer.from(text));
  for (const [where, suite] of Object.entries(suites)) {
    const prefix = where === "security" ? "/debian-security" : "/debian";
    const packagesText = Buffer.from((stanzas[where] ?? []).join("\n"));
    // As Debian's archives: the mirror's suites list the index plain, gzipped and as xz; the
    // security archive plain and as xz only. mcc reads gzip where listed, so both decoders run.
    const indexes: [string, Buffer][] = [
      ["main/binary-amd64/Packages", packagesText],
      ...(where === "security" ? [] : [["main/binary-amd64/Packages.gz", gzipSync(packagesText)] as [string, Buffer]]),
      ["main/binary-amd64/Packages.xz", execFileSync("xz", ["-c"], { input: packagesText })],
    ];
    const lines = indexes.map(([path, data]) => ` ${sha256(data)} ${String(data.length).padStart(8)} ${path}`);
    const release = [
      "Origin: mcc-tests",
      `Suite: ${suite}`,
      `Codename: ${suite}`,
      "Date: Sat, 01 Jan 2000 00:00:00 UTC",
      "Acquire-By-Hash: yes",
      "Architectures: amd64",
      "Components: main",
      "SHA256:",
      ...lines,
      "",
    ].join("\n");
    for (const [path, data] of indexes) {
      files.set(`${prefix}/dists/${suite}/${path}`, data);
      files.set(`${prefix}/dists/${suite}/main/binary-amd64/by-hash/SHA256/${sha256(data)}`, data);
    }
    files.set(`${prefix}/dists/${suite}/Release`, Buffer.from(release));
    files.set(`${prefix}/dists/${suite}/InRelease`, sign(release));
  }

  const truncate = new Set<string>();
  const truncateOnce = new Set<string>();
  const hits = new Map<string, number>();
  const state = { down: false };
  const server: Server = trackServer(createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (truncate.has(path) || truncateOnce.delete(path)) {
      // Claims the whole length, sends half, and hangs up: a cut download.
      res.writeHead(200, { "content-length": String(body.length) });
      res.write(body.subarray(0, body.length >> 1));
      res.destroy();
      return;
    }
    res.writeHead(200, { "content-length": String(body.length) }).end(body);
  }), "the test archive's http server");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    url: `http://127.0.0.1:${port}/debian`,
    keyring,
    otherKeyring,
    files,
    truncate,
    truncateOnce,
    hits,
    dir,
    sign,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const h of [home, otherHome]) {
        try {
          execFileSync("gpgconf", ["--homedir", h, "--kill", "gpg-agent"], { stdio: "ignore" });
        } catch {
          // no agent was started
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_RELEASE = RELEASE;
