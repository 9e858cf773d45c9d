#!/usr/bin/env node
// Kept size against (a) the full package closure and (b) the strace lower bound, for the
// visible examples; writes docs/sizes.md. Run as root (chroot, strace), after a build:
//   npm run build && node bench/sizes.mjs
// The bound: the example's smoke command runs under strace in a chroot of the whole closure
// (every file of every resolved package); every file it opened or executed, resolved inside
// that root, is the set a correct image must hold. Its bytes are the lower bound.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeRootfs } from "../dist/src/backends/rootfs.js";
import { createNodeHost } from "../dist/src/host/node-host.js";
import { traceImage } from "../dist/src/pipeline/why.js";
import { keepPackedFile, packageFiles } from "../dist/src/extract/unpack.js";
import { limited } from "./limit.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const host = createNodeHost();

/** The visible examples and their smoke commands; `port` is the local HTTP server curl fetches from. */
const smokeCommands = (port) => [
  { name: "curl", interpreter: false, args: ["/usr/bin/curl", "-sS", "-o", "/write/out", "-w", "%{http_code}", `http://127.0.0.1:${port}/`] },
  { name: "jq", interpreter: false, args: ["/usr/bin/jq", "-n", "[1,2,3]|add"] },
  { name: "sqlite3", interpreter: false, args: ["/usr/bin/sqlite3", "/write/t.db", "create table t(x); insert into t values(42); select x from t;"] },
  { name: "python3", interpreter: true, args: ["/usr/bin/python3", "-c", "import json,ssl,sqlite3;print(json.dumps([1]))"] },
  { name: "busybox", interpreter: false, args: ["/bin/busybox", "echo", "ok"] },
];

const mib = (n) => `${(n / (1024 * 1024)).toFixed(2)} MiB`;

/**
 * Measures closure, kept and strace-bound bytes of the visible examples, or of those `names`
 * lists (bench/run imports this). Run as root: the smoke commands run in a chroot.
 */
export async function measureSizes(cache, names) {
  const work = mkdtempSync(join(tmpdir(), "mcc-sizes-"));
  const server = createServer((_, res) => res.writeHead(200).end("hello\n"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const examples = smokeCommands(server.address().port).filter((ex) => names === undefined || names.includes(ex.name));
  const rows = [];
  try {
    for (const ex of examples) rows.push(await measureExample(ex, work, cache));
  } finally {
    server.close();
    rmSync(work, { recursive: true, force: true });
  }
  return { rows, examples };
}

async function measureExample(ex, work, cache) {
  const specPath = join(work, `${ex.name}.yml`);
  writeFileSync(specPath, readFileSync(join(repo, "examples", `${ex.name}.yml`)));
  const lock = { cacheRoot: cache, update: false, frozen: false, offline: false, allowExpired: false, env: process.env };
  const built = await traceImage(host, { specPath, hostArch: "amd64", arch: "amd64", lock, epoch: 0, cwd: process.cwd(), cacheRoot: cache, env: process.env, offline: false });
  if (built.kind !== "traced") throw new Error(`${ex.name}: not traced (${built.kind})`);
  // The files mcc makes (users, os-release, dpkg records): in the tree, with no package.
  const generated = new Map(built.tree.entries.filter((e) => e.kind === "file" && e.pkg === "(mcc)").map((e) => [e.path, e]));

  // (a) The whole closure, as a root to run in.
  const full = join(work, `${ex.name}.closure`);
  const entries = [];
  for (const node of built.root.nodes.values()) {
    if (node.kind === "file") entries.push({ kind: "file", path: node.path, mode: node.mode & 0o777, uid: 0, gid: 0, size: node.size, source: { blob: node.sha256 }, pkg: node.pkg });
    else if (node.kind === "symlink") entries.push({ kind: "symlink", path: node.path, target: node.target, uid: 0, gid: 0, pkg: node.pkg });
    else entries.push({ kind: "directory", path: node.path, mode: 0o755, uid: 0, gid: 0 });
  }
  for (const g of generated.values()) {
    if (!built.root.nodes.has(g.path)) entries.push({ ...g, uid: 0, gid: 0 });
  }
  const withParents = new Map(entries.map((e) => [e.path, e]));
  for (const e of entries) {
    for (let d = dirname(e.path); d !== "/"; d = dirname(d)) {
      if (!withParents.has(d) && !(built.root.nodes.get(d)?.kind === "symlink")) withParents.set(d, { kind: "directory", path: d, mode: 0o755, uid: 0, gid: 0 });
    }
  }
  withParents.set("/write", { kind: "directory", path: "/write", mode: 0o777, uid: 0, gid: 0 });
  const sorted = [...withParents.values()].filter((e) => !["/bin", "/sbin", "/lib", "/lib64"].some((m) => e.path.startsWith(m + "/"))).sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  // Most of the closure's files live only in their package's pack: each copied to a blob first.
  const files = packageFiles(built.store, built.manifests);
  for (const e of sorted) if (e.kind === "file" && "blob" in e.source) await keepPackedFile(built.store, files, e.source.blob, e.size);
  await writeRootfs(host, { entries: sorted, reasons: new Map() }, built.store, full, { chown: false });
  chmodSync(join(full, "write"), 0o777);
  const closureBytes = built.closureBytes;

  // (b) What the program opens.
  const log = join(work, `${ex.name}.strace`);
  // Asynchronous: the curl example's server lives in this process and must answer meanwhile.
  const code = await new Promise((resolve) =>
    spawn(...limited(120, "strace", ["-f", "-qq", "-e", "trace=open,openat,execve", "-o", log, "chroot", full, ...ex.args]), { stdio: ["ignore", "ignore", "inherit"] }).on("close", resolve),
  );
  if (code !== 0) throw new Error(`${ex.name}: the smoke command failed in the closure (exit ${code})`);
  console.error(`${ex.name}: measured`);
  const opened = new Set();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const m = /(?:openat\([^,]+, |open\(|execve\()"([^"]+)"[^)]*\)?.*= (\d+|-1)/.exec(line);
    if (m === null || m[2] === "-1") continue;
    const path = m[1];
    if (!path.startsWith("/") || /^\/(proc|dev|sys|write|run|tmp)(\/|$)/.test(path)) continue;
    const found = built.root.lookup(path) ?? (generated.has(path) ? { path, node: { kind: "file" } } : undefined);
    if (found !== undefined && found.node.kind === "file") opened.add(found.path);
  }
  const sizeOf = (p) => {
    const node = built.root.nodes.get(p);
    if (node?.kind === "file") return node.size;
    return generated.get(p)?.size ?? 0;
  };
  const boundBytes = [...opened].reduce((n, p) => n + sizeOf(p), 0);
  const keptFiles = built.tree.entries.filter((e) => e.kind === "file");
  const keptBytes = keptFiles.reduce((n, e) => n + e.size, 0);
  const keptPaths = new Set(built.tree.entries.map((e) => e.path));
  const missing = [...opened].filter((p) => !keptPaths.has(p));
  const ratio = keptBytes / boundBytes;
  const share = keptBytes / closureBytes;
  rmSync(full, { recursive: true, force: true });
  return { ex, closureBytes, keptBytes, keptFiles: keptFiles.length, boundBytes, bound: opened.size, ratio, share, missing };
}

function sizesDoc({ rows, examples }) {
  const lines = [
    "# Sizes: kept files against the closure and the strace lower bound",
    "",
    "<!-- Generated by bench/sizes.mjs; do not edit. -->",
    "",
    "For each visible example: the bytes of every file of every resolved package (the closure),",
    "the bytes mcc keeps, and the lower bound: the files the smoke command opened or executed",
    "under strace in a chroot of the whole closure. Targets: the kept set holds every file of the",
    "bound, is at most 1.15x its bytes, and, where the program is not an interpreter, at most 1/8",
    "of the closure. Where the bound itself is over 1/8 of the closure (the closure is mostly the",
    "libraries the program loads), no correct image can meet the last target; the table says so.",
    "Interpreters keep their standard library by include, so their kept set exceeds what one",
    "command imports.",
    "",
    "| example | closure | kept (files) | strace bound (files) | kept / bound | kept / closure | bound / closure | holds the bound | targets |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const misses = [];
    if (r.missing.length > 0) misses.push(`misses ${r.missing.length} opened files`);
    if (r.ratio > 1.15) misses.push(`${r.ratio.toFixed(2)}x the bound`);
    const boundShare = r.boundBytes / r.closureBytes;
    if (!r.ex.interpreter && r.share > 1 / 8) {
      misses.push(`${(r.share * 100).toFixed(0)}% of the closure${boundShare > 1 / 8 ? " (unreachable: the bound alone is over 1/8)" : ""}`);
    }
    lines.push(
      `| ${r.ex.name} | ${mib(r.closureBytes)} | ${mib(r.keptBytes)} (${r.keptFiles}) | ${mib(r.boundBytes)} (${r.bound}) | ${r.ratio.toFixed(2)}x | ${(r.share * 100).toFixed(1)}% | ${((100 * r.boundBytes) / r.closureBytes).toFixed(1)}% | ${r.missing.length === 0 ? "yes" : `no: ${r.missing.join(", ")}`} | ${misses.length === 0 ? "met" : `missed: ${misses.join("; ")}`} |`,
    );
  }
  lines.push("", `Smoke commands: ${examples.map((e) => `${e.name}: \`${e.args.slice(1).join(" ").replace(/127\.0\.0\.1:\d+/, "127.0.0.1:PORT")}\``).join("; ")}.`, "");
  return lines.join("\n");
}

// Run directly, it writes docs/sizes.md; imported, it only measures.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const doc = sizesDoc(await measureSizes(process.env.MCC_CACHE ?? join(tmpdir(), "mcc-test-cache")));
  mkdirSync(join(repo, "docs"), { recursive: true });
  writeFileSync(join(repo, "docs", "sizes.md"), doc);
  console.log(doc);
}
