#!/usr/bin/env node
// Where the time of a cold build goes, by phase: `mcc compile --json` from an empty cache and
// no lock, the time each phase ended read from its events as they arrive (resolving ends with
// the lock; downloading and unpacking with the last package unpacked; then tracing, the layer,
// the image's documents, the output). Medians of RUNS runs per spec.
//   node bench/phases.mjs [--mcc DIST_MAIN_JS] SPEC...     RUNS=3 by default
// Prints a markdown table; bench/run puts it in docs/benchmarks.md, and a before/after pair of
// runs (one with --mcc pointing at an older build) gives the table in docs/performance.md.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Math.max(1, Number(process.env.RUNS ?? 3));
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** The phases, each ended by the last event that matches it. */
export const PHASES = [
  { name: "resolve (indexes, lock)", ends: (e) => e.event === "lock" },
  { name: "download and unpack", ends: (e) => e.event === "step" && (e.kind === "fetch" || e.kind === "unpack") },
  { name: "trace and lay out", ends: (e) => e.event === "step" && e.kind === "tree" },
  { name: "layer (tar, gzip)", ends: (e) => e.event === "step" && e.kind === "layer" },
  { name: "config, manifest, provenance, SBOM", ends: (e) => e.event === "step" && ["config", "manifest", "provenance", "sbom"].includes(e.kind) },
  { name: "write the output", ends: (e) => e.event === "output" },
];

/**
 * One cold build: each phase's end in seconds from the start, and the total. With `lock` (a lock
 * file of the spec), the build starts with that lock beside the spec, as a project that commits
 * its lock: the first phase is then only the lock's check, and the lock must be found current.
 */
export function coldPhases(mainJs, spec, { arch = "amd64", limitSeconds = 600, lock } = {}) {
  const work = mkdtempSync(join(tmpdir(), "mcc-phases-"));
  // One architecture, as the other benchmarks build: a spec's other archs would be locked too.
  const copy = join(work, basename(spec));
  writeFileSync(copy, readFileSync(spec, "utf8").replace(/^(\s*)archs:.*$/m, `$1archs: [${arch}]`));
  if (lock !== undefined) copyFileSync(lock, copy.replace(/\.(yml|yaml|mcc)$/, ".lock.json"));
  let lockStatus;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const now = () => Number(process.hrtime.bigint() - start) / 1e9;
    const child = spawn(mainJs, ["compile", copy, "--arch", arch, "--json", "-o", join(work, "out"), "--cache", join(work, "cache")], { stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitSeconds * 1000);
    const ends = new Array(PHASES.length).fill(undefined);
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    createInterface({ input: child.stdout }).on("line", (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      const t = now();
      if (event.event === "lock") lockStatus = event.status;
      PHASES.forEach((p, i) => {
        if (p.ends(event)) ends[i] = t;
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const total = now();
      rmSync(work, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`mcc compile ${spec} exited ${code}:\n${stderr}`));
      if (lock !== undefined && lockStatus !== "current") return reject(new Error(`mcc compile ${spec}: the lock given was ${lockStatus ?? "not reported"}, not current`));
      // A phase with no event of its own (nothing to unpack, say) ends where the one before did.
      for (let i = 0; i < ends.length; i++) ends[i] ??= i === 0 ? 0 : ends[i - 1];
      resolve({ ends, total });
    });
  });
}

/** Medians of RUNS cold builds: each phase's own duration, and the total. `options` as coldPhases takes them. */
export async function phaseTable(mainJs, spec, runs = RUNS, options = {}) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await coldPhases(mainJs, spec, options));
  const durations = PHASES.map((_, i) => median(all.map((r) => r.ends[i] - (i === 0 ? 0 : r.ends[i - 1]))));
  const rest = median(all.map((r) => r.total - r.ends[PHASES.length - 1]));
  return { durations, startAndExit: rest, total: median(all.map((r) => r.total)) };
}

export function markdown(columns) {
  const lines = [`| phase | ${columns.map((c) => c.title).join(" | ")} |`, `| --- | ${columns.map(() => "---:").join(" | ")} |`];
  PHASES.forEach((p, i) => lines.push(`| ${p.name} | ${columns.map((c) => `${c.table.durations[i].toFixed(2)} s`).join(" | ")} |`));
  lines.push(`| after the output (exit) | ${columns.map((c) => `${c.table.startAndExit.toFixed(2)} s`).join(" | ")} |`);
  lines.push(`| **total** | ${columns.map((c) => `**${c.table.total.toFixed(2)} s**`).join(" | ")} |`);
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let mainJs = join(repo, "dist/cli/main.js");
  const at = args.indexOf("--mcc");
  if (at >= 0) {
    mainJs = args[at + 1];
    args.splice(at, 2);
  }
  const columns = [];
  for (const spec of args) columns.push({ title: basename(spec).replace(/\.(yml|yaml|mcc)$/, ""), table: await phaseTable(mainJs, spec) });
  console.log(markdown(columns));
}
