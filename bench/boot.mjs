#!/usr/bin/env node
// ISO size and boot-to-output time of the visible examples, into docs/boot.md (between the
// bench markers). Run after a build, with qemu-system-x86 installed:
//   npm run build && node bench/boot.mjs
// Each example's ISO (amd64) is booted in qemu under software emulation (no KVM) with SeaBIOS,
// RUNS times; the time to the `mcc: exit status` line and to qemu's exit are medians.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { boot } from "../dist/test/support/qemu.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = process.env.MCC_CACHE ?? join(tmpdir(), "mcc-test-cache");
const work = mkdtempSync(join(tmpdir(), "mcc-boot-bench-"));
const RUNS = Number(process.env.RUNS ?? 3);
const examples = ["busybox", "hello", "jq", "sqlite3", "curl", "python3"];
// A program that waits for input at the console gets arguments that make it answer and exit.
const batchArgs = { sqlite3: '[":memory:", "select 6*7;"]' };
const mib = (n) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const name of examples) {
  const iso = join(work, `${name}.iso`);
  const boot_ = join(work, `${name}.boot`);
  let spec = join(repo, "examples", `${name}.yml`);
  if (batchArgs[name] !== undefined) {
    const copy = join(work, `${name}.yml`);
    writeFileSync(copy, readFileSync(spec, "utf8").replace(/^args: .*$/m, `args: ${batchArgs[name]}`));
    spec = copy;
  }
  for (const [format, out] of [["iso", iso], ["kernel+initrd", boot_]]) {
    const r = spawnSync(process.execPath, [join(repo, "dist/src/cli/main.js"), "compile", spec, "--arch", "amd64", "--format", format, "-o", out, "-q"], { encoding: "utf8", env: { ...process.env, MCC_CACHE: cache } });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  }
  const toOutput = [];
  const toOff = [];
  for (let i = 0; i < RUNS; i++) {
    const started = Date.now();
    let firstLine;
    const run = await boot({ iso }, { firmware: "bios", timeoutSeconds: 240, onConsole: (text) => (firstLine ??= /mcc: exit status \d+/.test(text) ? Date.now() : undefined) });
    if (run.timedOut || !/mcc: exit status 0/.test(run.console)) throw new Error(`${name}: did not boot to its output:\n${run.console.slice(-2000)}`);
    toOutput.push(((firstLine ?? Date.now()) - started) / 1000);
    toOff.push(run.seconds);
  }
  rows.push({ name, iso: statSync(iso).size, initrd: statSync(join(boot_, "initrd.img")).size, kernel: statSync(join(boot_, "vmlinuz")).size, toOutput: median(toOutput), toOff: median(toOff) });
  console.log(`${name}: ISO ${mib(statSync(iso).size)}, output after ${median(toOutput).toFixed(1)} s`);
}

const table = [
  `| example | ISO (amd64, BIOS + UEFI) | initramfs (gzip) | kernel | boot to output | boot to power-off |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...rows.map((r) => `| ${r.name} | ${mib(r.iso)} | ${mib(r.initrd)} | ${mib(r.kernel)} | ${r.toOutput.toFixed(1)} s | ${r.toOff.toFixed(1)} s |`),
].join("\n");
const doc = join(repo, "docs", "boot.md");
const text = readFileSync(doc, "utf8");
const start = "<!-- bench:boot -->";
const end = "<!-- /bench:boot -->";
writeFileSync(doc, text.slice(0, text.indexOf(start) + start.length) + `\n${table}\n\nMedians of ${RUNS} boots each, qemu ${spawnSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].replace(/^QEMU emulator version /, "")} with software emulation (TCG, no KVM), 512 MiB, on ${(await import("node:os")).cpus().length} shared cores; times vary with the machine, sizes do not.\n` + text.slice(text.indexOf(end)));
rmSync(work, { recursive: true, force: true });
