#!/usr/bin/env node
// The decompressors mcc ships, on the data members of real .deb files, against the xz and
// zstd command-line tools: median of 5 runs each, output MB/s, ratio to the tool.
// Usage: npm run build && node bench/decompress.mjs FILE.deb...
// (`mcc fetch` leaves .debs in the cache: blobs/sha256/*/*.) Needs xz and zstd on PATH.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAr } from "../dist/src/extract/ar.js";
import { collect } from "../dist/src/extract/deb.js";
import { decompressStream } from "../dist/src/extract/decompress.js";

const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function* chunks(data, size = 64 * 1024) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function timeOurs(kind, data) {
  const times = [];
  let out = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    out = 0;
    for await (const c of decompressStream(kind, chunks(data))) out += c.length;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: median(times), out };
}

function timeTool(cmd, file) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    execFileSync(cmd, ["-dc", file], { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

const dir = mkdtempSync(join(tmpdir(), "mcc-bench-"));
console.log("| file | member | compressed | output | mcc ms | mcc MB/s | tool ms | mcc / tool |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const deb of process.argv.slice(2)) {
  for await (const m of readAr(chunks(readFileSync(deb)))) {
    if (!m.name.startsWith("data.tar")) continue;
    const data = Buffer.from(await collect(m.body));
    const variants = [];
    if (m.name.endsWith(".xz")) {
      variants.push(["xz", data]);
      // The same tar as zstd, since Debian's own packages use xz.
      const tar = execFileSync("xz", ["-dc"], { input: data, maxBuffer: 1 << 30 });
      variants.push(["zstd", execFileSync("zstd", ["-19", "-c", "-q"], { input: tar, maxBuffer: 1 << 30 })]);
      variants.push(["gzip", execFileSync("gzip", ["-9", "-c", "-n"], { input: tar, maxBuffer: 1 << 30 })]);
    }
    for (const [kind, bytes] of variants) {
      const file = join(dir, `member.${kind}`);
      writeFileSync(file, bytes);
      const ours = await timeOurs(kind, bytes);
      const tool = timeTool(kind === "xz" ? "xz" : kind === "zstd" ? "zstd" : "gzip", file);
      const mb = ours.out / 1e6;
      console.log(
        `| ${deb.split("/").pop()} | ${kind} | ${(bytes.length / 1e6).toFixed(1)} MB | ${mb.toFixed(1)} MB | ${ours.ms.toFixed(0)} | ${(mb / (ours.ms / 1000)).toFixed(0)} | ${tool.toFixed(0)} | ${(ours.ms / tool).toFixed(2)} |`,
      );
    }
  }
}
rmSync(dir, { recursive: true, force: true });
