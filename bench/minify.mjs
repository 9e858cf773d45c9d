// The minify section of bench/run: full images made as users make them (an mmdebstrap rootfs
// tarball wrapped into an OCI layout by umoci, as test/integration/minify.test.ts does), then
// `mcc minify` on them: time, peak memory, and the sizes before and after.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { limited } from "./limit.mjs";

/**
 * The images: the same bookworm rootfs tarballs, configs and spec as the integration test, so
 * the tarballs it caches are reused (and the ones made here serve the test). `example` names the
 * compiled example the result is set beside.
 */
export const MINIFY_IMAGES = [
  {
    name: "curl",
    example: "curl",
    include: "curl,ca-certificates",
    config: ["--config.entrypoint", "curl", "--config.cmd", "--version"],
  },
  {
    name: "python3",
    example: "python3",
    include: "python3",
    config: ["--config.entrypoint", "python3", "--config.cmd", "-c", "--config.cmd", "import json, sqlite3; print(json.dumps({'sqlite': sqlite3.sqlite_version_info[0]}))", "--config.env", "LANG=C.UTF-8"],
    // An interpreter's standard library is invisible to ELF tracing: the test's spec.
    spec: "include: [/usr/lib/python3.11/**]\nexclude: [/usr/lib/python3.11/**/__pycache__/**, /usr/lib/python3.11/test/**, /usr/lib/python3.11/cgi.py]\n",
  },
];

/**
 * The cached mmdebstrap tarball of one image (bookworm, essential + its packages), built here
 * when missing with the host's apt sources as the mirror, written to a temporary name first.
 */
function rootfsTarball(testCache, image, log) {
  const tarball = join(testCache, "mmdebstrap", `bookworm-${image.name}.tar`);
  if (existsSync(tarball)) return { tarball, cached: true };
  log(`minify: building ${tarball} with mmdebstrap`);
  mkdirSync(join(testCache, "mmdebstrap"), { recursive: true });
  const temp = `${tarball}.${process.pid}.tmp.tar`;
  const r = spawnSync(...limited(1800, "mmdebstrap", ["--variant=essential", `--include=${image.include}`, "--mode=root", "--format=tar", "-q", "bookworm", temp]), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mmdebstrap for ${image.name} failed:\n${r.stderr}`);
  renameSync(temp, tarball);
  return { tarball, cached: false };
}

/** umoci init/new/raw add-layer/config: the full image as a one-layer OCI layout tagged `full`. */
function fullLayout(dir, tarball, config) {
  const umoci = (args) => execFileSync(...limited(300, "umoci", args), { stdio: ["ignore", "ignore", "pipe"] });
  umoci(["init", "--layout", dir]);
  umoci(["new", "--image", `${dir}:full`]);
  umoci(["raw", "add-layer", "--image", `${dir}:full`, tarball]);
  umoci(["config", "--image", `${dir}:full`, "--tag", "full", ...config]);
}

/**
 * Minifies each image whose example is in `examples` RUNS times, each run with a new empty
 * cache (the first minify of an image on a machine: every file is read and stored). Returns per
 * image the median time, the peak RSS, the report's before/after, the output's gzip layer and
 * whether every run gave one digest.
 * @param {{ repo: string, work: string, runs: number, testCache: string, examples: string[], timed: Function, median: Function, layerStats: Function, log: Function }} ctx
 */
export function measureMinify(ctx) {
  const bin = join(ctx.repo, "dist/cli/main.js");
  const results = [];
  for (const image of MINIFY_IMAGES.filter((i) => ctx.examples.includes(i.example))) {
    const { tarball, cached } = rootfsTarball(ctx.testCache, image, ctx.log);
    const layout = join(ctx.work, `${image.name}.full`);
    fullLayout(layout, tarball, image.config);
    const spec = image.spec === undefined ? [] : ["--spec", join(ctx.work, `${image.name}.minify.yml`)];
    if (image.spec !== undefined) writeFileSync(spec[1], image.spec);
    const out = join(ctx.work, `${image.name}.min`);
    const runs = [];
    for (let i = 0; i < ctx.runs; i++) {
      const cache = mkdtempSync(join(ctx.work, "minify-cache-"));
      rmSync(out, { recursive: true, force: true });
      const run = ctx.timed(bin, ["minify", `${layout}:full`, ...spec, "-o", out, "--name", `${image.name}-min`, "--json", "--cache", cache]);
      rmSync(cache, { recursive: true, force: true });
      runs.push({ ...run, report: JSON.parse(run.stdout) });
    }
    const report = runs[0].report;
    const layer = ctx.layerStats(out);
    results.push({
      ...image,
      tarballCached: cached,
      seconds: ctx.median(runs.map((r) => r.seconds)),
      peakMiB: Math.max(...runs.map((r) => r.peakMiB)),
      before: report.before,
      after: report.after,
      kept: report.kept.filter((p) => p.name !== "(mcc)" && p.name !== "(image)").length,
      dropped: report.dropped.length,
      layerGzip: layer.compressed,
      reproducible: new Set(runs.map((r) => r.report.outputs[0]?.digest)).size === 1,
    });
    rmSync(layout, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    ctx.log(`minify ${image.name}: ${results.at(-1).seconds.toFixed(2)} s, ${report.before.files} -> ${report.after.files} files`);
  }
  return results;
}

/** Full images minified: before/after, time and memory; then set beside mcc's compiled image and the bound. */
export function minifySection(minified, rows, { s, mib, runs }) {
  const lines = [
    "",
    "## Minify",
    "",
    "Full images as users make them, as in `test/integration/minify.test.ts`: a bookworm rootfs by",
    "`mmdebstrap --variant=essential --include=<packages> --format=tar` (from the host's apt sources; cached in",
    "the shared test cache), one layer in an OCI layout by `umoci raw add-layer`, the entrypoint set by",
    "`umoci config` (curl: `curl --version`; python3: `python3 -c ...`, with the test's spec including",
    `\`/usr/lib/python3.11/**\` less \`__pycache__\` and \`test/\`). Then \`mcc minify IMAGE:full --json\`, ${runs} run${runs === 1 ? "" : "s"}, each with an`,
    "empty cache (every file of the image is read and stored, as the first minify of an image on a machine).",
    "Sizes are the regular files of the image before and of the output after (`mcc minify`'s own report).",
    "",
    "| image | before (files) | after (files) | after / before | packages kept / dropped | output layer gzip | mcc minify | peak RSS | same digest every run |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const m of minified) {
    lines.push(`| ${m.name} (bookworm, \`--include=${m.include}\`) | ${mib(m.before.bytes)} (${m.before.files}) | ${mib(m.after.bytes)} (${m.after.files}) | ${((100 * m.after.bytes) / m.before.bytes).toFixed(1)}% | ${m.kept} / ${m.dropped} | ${mib(m.layerGzip)} | ${s(m.seconds)} | ${m.peakMiB.toFixed(0)} MiB | ${m.reproducible ? "yes" : "no"} |`);
  }
  lines.push(
    "",
    "Set beside the image `mcc compile` builds from the example of the same name (the Sizes table above) and",
    "the strace bound of that example:",
    "",
    "| example | minified (files) | mcc compile kept (files) | strace bound (files) | minified / compiled | minified / bound |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const m of minified) {
    const r = rows.find((row) => row.name === m.example);
    if (r === undefined) continue;
    lines.push(`| ${m.name} | ${mib(m.after.bytes)} (${m.after.files}) | ${mib(r.image.bytes)} (${r.image.files}) | ${mib(r.bound.boundBytes)} (${r.bound.bound}) | ${(m.after.bytes / r.image.bytes).toFixed(2)}x | ${(m.after.bytes / r.bound.boundBytes).toFixed(2)}x |`);
  }
  lines.push(
    "",
    "curl is the same release and the same packages on both sides (bookworm, curl and ca-certificates). python3 is",
    "not: the full image is bookworm's `python3` (3.11, its whole standard library less tests), the example is",
    "trixie's `python3-minimal` and `libpython3.13-stdlib` with its tests",
    "excluded (idlelib, tkinter and ensurepip are other packages there), so that row compares two different Pythons and says only how far apart the two ways land.",
  );
  return lines;
}
