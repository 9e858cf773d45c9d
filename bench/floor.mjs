// The physical floor of a build on this machine, measured with the tools a user would reach for:
// the packages a lock pins (every architecture's) downloaded by one `curl --parallel` (keep-alive
// connections, four at a time) and unpacked by `dpkg-deb -x`; the Packages indexes the lock names (every
// architecture's) downloaded the same way and decompressed by `gzip -d` or `xz -d`; the image's layer (its tar) compressed by `gzip -6`. Each
// part is timed as a whole command, medians of `runs`. A cold build with the lock present
// cannot do less than download + unpack + gzip; without the lock, the indexes come first.
// Beside gzip -6, the same tar through mcc's own gzip in a fresh node started as mcc's CLI starts
// it (bench/pinned-gzip.mjs): what mcc's means cost for that part (node's start, and a deflate
// whose bytes depend on no CPU and no Node version), the floor of a build that must use them.
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * `lockPath`: the example's lock; `bases`: the mirror and security archive mcc used (from its
 * own configuration); `layerBlobs`: the gzipped layers mcc wrote (their tars, one after the
 * other, are what gzip -6 gets); `repo`: where mcc is built (its CLI's launcher and stable gzip).
 */
export async function measureFloor({ lockPath, bases, layerBlobs, repo, work, runs, timed, median }) {
  const archs = JSON.parse(readFileSync(lockPath, "utf8")).archs;
  const baseOf = (archive) => (archive === "security" ? bases.security : bases.mirror);
  // Every architecture's packages, each file once (an `all` package serves every image), as
  // mcc downloads and unpacks them for a spec with several architectures.
  const urls = new Set(Object.values(archs).flatMap((a) => a.packages.filter((p) => p.archive !== "local").map((p) => `${baseOf(p.archive)}/${p.filename}`)));
  const debs = [...urls].map((url, i) => ({ url, file: `p${i}.deb` }));
  // Every architecture's indexes: resolving reads them all, whichever image is built. Each is
  // decoded by the tool of its own format (mcc reads gzip where the Release lists it, else xz).
  const indexes = Object.values(archs).flatMap((a) => a.indexes).map((x, i) => {
    const dir = x.path.slice(0, x.path.lastIndexOf("/") + 1);
    const decoder = x.path.endsWith(".gz") ? "gzip" : x.path.endsWith(".xz") ? "xz" : "cat";
    return { url: `${baseOf(x.archive)}/dists/${x.suite}/${dir}by-hash/SHA256/${x.sha256}`, file: `i${i}`, decode: decoder === "cat" ? "cat" : `${decoder} -d -c` };
  });
  const dir = join(work, "floor");
  const tar = join(work, "floor-layer.tar");
  writeFileSync(tar, "");
  for (const blob of layerBlobs) await pipeline(createReadStream(blob), createGunzip(), createWriteStream(tar, { flags: "a" }));
  const pinned = pinnedGzip(repo, tar);
  const parts = { download: [], unpack: [], indexDownload: [], indexDecode: [], gzip: [], pinnedGzip: [] };
  for (let i = 0; i < runs; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "tree"), { recursive: true });
    parts.download.push(download(debs, dir, timed));
    const list = join(dir, "debs.txt");
    writeFileSync(list, debs.map((d) => join(dir, d.file)).join("\n") + "\n");
    parts.unpack.push(timed("sh", ["-c", `while read f; do dpkg-deb -x "$f" "${join(dir, "tree")}" || exit 1; done < "${list}"`], { limitSeconds: 900 }).seconds);
    parts.indexDownload.push(download(indexes, dir, timed));
    parts.indexDecode.push(timed("sh", ["-c", indexes.map((x) => `${x.decode} "${join(dir, x.file)}" > /dev/null`).join(" && ")], { limitSeconds: 300 }).seconds);
    parts.gzip.push(timed("sh", ["-c", `gzip -6 -c "${tar}" > /dev/null`], { limitSeconds: 900 }).seconds);
    const run = timed(...pinned, { limitSeconds: 900 });
    // One layer: mcc's gzip here must give the layer mcc wrote, byte for byte the same size.
    if (layerBlobs.length === 1 && Number(run.stdout.trim()) !== statSync(layerBlobs[0]).size) throw new Error(`bench/pinned-gzip.mjs gave ${run.stdout.trim()} bytes, the layer has ${statSync(layerBlobs[0]).size}`);
    parts.pinnedGzip.push(run.seconds);
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(tar, { force: true });
  const m = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, median(v)]));
  const locked = m.download + m.unpack + m.gzip;
  // The same, node started and the layer compressed as mcc must: the floor of mcc's own means.
  const lockedPinned = m.download + m.unpack + m.pinnedGzip;
  return { ...m, locked, lockedPinned, cold: locked + m.indexDownload + m.indexDecode, packages: debs.length };
}

/**
 * The command that gzips `tar` with mcc's stable gzip in a node started as mcc's CLI starts it:
 * the launcher's own line (its environment and node's flags), with bench/pinned-gzip.mjs in
 * place of the CLI.
 */
function pinnedGzip(repo, tar) {
  const launcher = readFileSync(join(repo, "dist/cli/main.js"), "utf8").split("\n")[1] ?? "";
  const line = /^\/\/ 2>\/dev\/null; (.*exec node .*"\$0" "\$@")$/.exec(launcher)?.[1];
  if (line === undefined) throw new Error(`dist/cli/main.js: no launcher line to start node as mcc does (${launcher})`);
  const script = join(dirname(fileURLToPath(import.meta.url)), "pinned-gzip.mjs");
  return ["sh", ["-c", line, script, join(repo, "dist/src/formats/stable-gzip.js"), tar]];
}

/** One `curl --parallel` for every file, four transfers at a time on reused connections; seconds. */
function download(files, dir, timed) {
  const config = join(dir, "curl.cfg");
  writeFileSync(config, files.map((f) => `url = "${f.url}"\noutput = "${join(dir, f.file)}"\n`).join(""));
  const run = timed("curl", ["--silent", "--show-error", "--fail", "--parallel", "--parallel-max", "4", "--config", config], { limitSeconds: 600 });
  return run.seconds;
}
