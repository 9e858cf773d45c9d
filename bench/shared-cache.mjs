// The shared-cache section of bench/run: Debian's docker-registry on a free loopback port (the
// tests' own starter, test/support/registry-server.ts, from dist/), one build that fills it
// (`--cache-to`), then builds with an empty local cache that read it (`--cache-from`).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { limited } from "./limit.mjs";

/** Bytes under a directory as du counts them (apparent size): what the registry stores. */
function storedBytes(dir) {
  const r = spawnSync(...limited(60, "du", ["-sb", dir]), { encoding: "utf8" });
  return Number(r.stdout.split("\t")[0]);
}

/**
 * For each example (its spec and lock already in `work`, from the main measurement): a build
 * with an empty cache and `--cache-to` fills the example's repository; then RUNS builds, each
 * with a new empty local cache and `--cache-from`, read it. Every build must give the digest the
 * cold builds gave. Returns per example the fill's time and what it wrote, the reads' median time,
 * peak RSS and what they fetched, and what the registry stores.
 * @param {{ repo: string, work: string, runs: number, compile: Function, median: Function, log: Function }} ctx
 * @param {{ name: string, spec: string, digest: string }[]} examples
 */
export async function measureSharedCache(ctx, examples) {
  const { startRegistry } = await import(pathToFileURL(join(ctx.repo, "dist/test/support/registry-server.js")).href);
  const registry = await startRegistry();
  const results = [];
  try {
    for (const ex of examples) {
      const ref = `${registry.host}/mcc-cache/${ex.name}`;
      const out = join(ctx.work, `${ex.name}.shared.oci`);
      const problems = [];
      // A build that fails, hangs past the limit, or reports a registry failure is recorded
      // on the page (and the section goes on), not hidden and not fatal to the whole suite.
      const build = (what, flags) => {
        const cache = mkdtempSync(join(ctx.work, "shared-cache-"));
        const r = ctx.compile(ex.spec, out, cache, { mayFail: true, limitSeconds: LIMIT_SECONDS }, [...flags, "--insecure"]);
        rmSync(cache, { recursive: true, force: true });
        if (r.status === 124) problems.push(`${what}: no result after ${LIMIT_SECONDS} s, ended by the time limit`);
        else if (r.status !== 0) problems.push(`${what}: exit ${r.status}: ${r.stderr.trim().split("\n").slice(-2).join(" ")}`);
        else if (r.digest !== ex.digest) problems.push(`${what}: image digest ${r.digest}, the cold builds gave ${ex.digest}`);
        if (r.sharedCache?.problem !== undefined) problems.push(`${what}: mcc warned: ${r.sharedCache.problem}`);
        return { ...r, ok: r.status === 0 && r.digest === ex.digest && r.sharedCache !== undefined && r.sharedCache.problem === undefined };
      };
      const before = storedBytes(registry.dir);
      const fill = build("fill", ["--cache-to", ref]);
      const stored = storedBytes(registry.dir) - before;
      const reads = fill.status === 0 ? Array.from({ length: ctx.runs }, (_, i) => build(`read ${i + 1}`, ["--cache-from", ref])) : [];
      const good = reads.filter((r) => r.ok);
      const read = good[0]?.sharedCache;
      results.push({
        name: ex.name,
        fill: { seconds: fill.seconds, ok: fill.ok, pushed: fill.sharedCache?.pushed, blobsPushed: fill.sharedCache?.blobsPushed, stored },
        reads: { count: reads.length, good: good.length },
        fromSeconds: good.length > 0 ? ctx.median(good.map((r) => r.seconds)) : undefined,
        fromPeakMiB: good.length > 0 ? Math.max(...good.map((r) => r.peakMiB)) : undefined,
        hits: read?.hits,
        blobsFetched: read?.blobsFetched,
        bytesFetched: read?.bytesFetched,
        // Every good read must have taken the same from the registry; say so if not.
        steady: good.every((r) => r.sharedCache.hits === read.hits && r.sharedCache.bytesFetched === read.bytesFetched),
        problems,
      });
      ctx.log(`shared cache ${ex.name}: fill ${fill.seconds.toFixed(2)} s, ${good.length}/${reads.length} reads, ${problems.length} problems`);
    }
  } finally {
    await registry.stop();
  }
  return results;
}

/** A build against the loopback registry taking longer than this is ended and reported. */
const LIMIT_SECONDS = 240;

/** A registry filled by one build, read by builds with an empty local cache. */
export function sharedSection(shared, rows, { s, mib, runs }) {
  const lines = [
    "",
    "## Shared build cache",
    "",
    "Debian's `docker-registry` on a free 127.0.0.1 port, plain http (`--insecure`), filesystem storage, one",
    "repository per example. With the lock present in every build: \"fill\" is one cold build with an empty",
    "local cache and `--cache-to` (it downloads from the mirror and writes every step result it used);",
    `"from the registry" is ${runs} build${runs === 1 ? "" : "s"}, each with a new empty local cache and \`--cache-from\` (median time,`,
    "and what the `shared-cache` event of `--json` says was read: step results, blobs and their bytes). Each",
    `build must give the image digest of the cold builds; one that did not, failed, warned about the registry or`,
    `ran past ${LIMIT_SECONDS} s (then ended) is listed below the table. "cold, locked" (from the mirror, empty cache) and`,
    "\"warm\" are the medians of the first table, measured in the same run.",
    "",
    "| example | cold, locked | fill (+ `--cache-to`) | written (blobs) | registry stores | from the registry | results read | blobs read | bytes read | warm | cold, locked / from the registry | peak RSS (from the registry) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const dash = "–";
  for (const x of shared) {
    const r = rows.find((row) => row.name === x.name);
    const from = x.fromSeconds === undefined ? dash : `${s(x.fromSeconds)}${x.reads.good < x.reads.count ? ` (${x.reads.good} of ${x.reads.count} runs)` : ""}`;
    const fill = `${s(x.fill.seconds)}${x.fill.ok ? "" : " (see below)"}`;
    const v = (value, f) => (value === undefined ? dash : f(value));
    lines.push(`| ${x.name} | ${s(r.mcc.coldLocked)} | ${fill} | ${v(x.fill.pushed, (n) => `${n} (${x.fill.blobsPushed})`)} | ${mib(x.fill.stored)} | ${from} | ${v(x.hits, String)} | ${v(x.blobsFetched, String)} | ${v(x.bytesFetched, mib)} | ${s(r.mcc.warm)} | ${v(x.fromSeconds, (f) => `${(r.mcc.coldLocked / f).toFixed(1)}x`)} | ${v(x.fromPeakMiB, (m) => `${m.toFixed(0)} MiB`)} |`);
  }
  const unsteady = shared.filter((x) => !x.steady).map((x) => x.name);
  if (unsteady.length > 0) lines.push("", `The reads of ${unsteady.join(", ")} did not all take the same results from the registry (the row shows the first).`);
  const problems = shared.flatMap((x) => x.problems.map((p) => `- ${x.name}, ${p.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")}`));
  if (problems.length > 0) lines.push("", "What went wrong in this run (a row's times count only the builds that succeeded and used the registry):", "", ...problems);
  return lines;
}
