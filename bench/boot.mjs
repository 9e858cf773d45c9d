#!/usr/bin/env node
// ISO size and boot-to-output time of the visible examples, and boot-to-serving time, stop time
// and sizes of two appliances, into docs/boot.md (between the bench markers). Run after a
// build, with qemu-system-x86 and OVMF installed:
//   npm run build && node bench/boot.mjs
// Each example's ISO (amd64) is booted in qemu under software emulation (no KVM) with SeaBIOS,
// RUNS times; the time to the `mcc: exit status` line and to qemu's exit are medians. Each
// appliance is booted RUNS times per medium with qemu's user network forwarding a loopback
// port: the time until a client on the host gets its answer, then the power button and the
// time until qemu exits by itself; medians.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { boot, OVMF } from "../dist/test/support/qemu.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const cache = process.env.MCC_CACHE ?? join(tmpdir(), "mcc-test-cache");
const work = mkdtempSync(join(tmpdir(), "mcc-boot-bench-"));
const RUNS = Number(process.env.RUNS ?? 3);
// PART=examples or PART=appliances runs one of the two tables.
const PART = process.env.PART ?? "all";
const examples = PART === "appliances" ? [] : ["busybox", "hello", "jq", "sqlite3", "curl", "python3"];
const mcc = (args) => {
  const r = spawnSync(join(repo, "dist/cli/main.js"), [...args], { encoding: "utf8", env: { ...process.env, MCC_CACHE: cache } });
  if (r.status !== 0) throw new Error(`mcc ${args.join(" ")}: ${r.stderr}`);
};
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
    const r = spawnSync(join(repo, "dist/cli/main.js"), ["compile", spec, "--arch", "amd64", "--format", format, "-o", out, "-q"], { encoding: "utf8", env: { ...process.env, MCC_CACHE: cache } });
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

const examplesTable = [
  `| example | ISO (amd64, BIOS + UEFI) | initramfs (gzip) | kernel | boot to output | boot to power-off |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...rows.map((r) => `| ${r.name} | ${mib(r.iso)} | ${mib(r.initrd)} | ${mib(r.kernel)} | ${r.toOutput.toFixed(1)} s | ${r.toOff.toFixed(1)} s |`),
].join("\n");

// Appliances: the busybox httpd example (port 8080, DHCP) as an ISO under BIOS and as a raw
// GPT disk under UEFI, and Debian's redis-server on a raw disk with a data disk for /write.
const appliances = PART === "examples" ? [] : [
  { name: "httpd", spec: join(repo, "examples", "busybox-httpd.yml"), port: 8080, ask: httpGet, media: ["iso", "raw"] },
  { name: "redis", spec: redisSpec(), port: 6379, ask: redisPing, media: ["raw"], data: true },
];
const applianceRows = [];
for (const a of appliances) {
  const sizes = {};
  for (const format of ["iso", "raw", "qcow2"]) {
    const out = join(work, `${a.name}.${format}`);
    mcc(["compile", a.spec, "--arch", "amd64", "--format", format, "-o", out, "-q"]);
    sizes[format] = { bytes: statSync(out).size, allocated: statSync(out).blocks * 512 };
  }
  for (const medium of a.media) {
    const serving = [];
    const stopping = [];
    for (let i = 0; i < RUNS; i++) {
      const data = join(work, `${a.name}-data-${i}.img`);
      if (a.data) mcc(["disk", data, "--size", "64M", "--label", "write"]);
      const run = await serve(join(work, `${a.name}.${medium}`), medium, a.port, a.ask, a.data ? data : undefined);
      serving.push(run.serving);
      stopping.push(run.stopping);
    }
    applianceRows.push({ name: a.name, medium, sizes, serving: median(serving), stopping: median(stopping) });
    console.log(`${a.name} (${medium}): serving after ${median(serving).toFixed(1)} s, stopped ${median(stopping).toFixed(1)} s after the power button`);
  }
}

/** The redis appliance of test/boot/appliance-redis.test.ts, from its spec there. */
function redisSpec() {
  const file = join(work, "kv.yml");
  copyFileSync(join(repo, "test", "boot", "kv.yml"), file);
  return file;
}

/** Whether GET / answers 200 within a second. */
function httpGet(port) {
  return new Promise((done) => {
    const req = get({ host: "127.0.0.1", port, path: "/", timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
  });
}

/** Whether redis answers PING with +PONG within a second. */
function redisPing(port) {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    let reply = "";
    socket.setTimeout(1000, () => (socket.destroy(), done(false)));
    socket.on("data", (d) => {
      reply += d.toString();
      if (reply.includes("\r\n")) (socket.destroy(), done(reply.startsWith("+PONG")));
    });
    socket.on("error", () => done(false));
  });
}

/**
 * Boots `image` (an ISO under SeaBIOS, or a raw disk under OVMF) with a forwarded port; the
 * seconds until `ask` says it serves, then the power button, and the seconds until qemu exits.
 */
async function serve(image, medium, guestPort, ask, data) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const monitor = join(work, `monitor-${port}.sock`);
  const args = ["-accel", "tcg", "-nographic", "-no-reboot", "-m", "512", "-nic", `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:${guestPort}`, "-monitor", `unix:${monitor},server,nowait`];
  if (medium === "iso") args.push("-drive", `file=${image},media=cdrom,readonly=on,format=raw`, "-boot", "d");
  else {
    copyFileSync(OVMF.code, join(work, "code.fd"));
    copyFileSync(OVMF.vars, join(work, "vars.fd"));
    args.push("-drive", `if=pflash,format=raw,readonly=on,file=${join(work, "code.fd")}`, "-drive", `if=pflash,format=raw,file=${join(work, "vars.fd")}`, "-drive", `file=${image},format=raw,if=virtio`);
  }
  if (data !== undefined) args.push("-drive", `file=${data},format=raw,if=virtio`);
  const started = Date.now();
  const vm = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
  let console_ = "";
  vm.stdout.on("data", (d) => (console_ += d.toString()));
  const exited = new Promise((done) => vm.on("exit", () => done(Date.now())));
  const killer = setTimeout(() => vm.kill("SIGKILL"), 300_000);
  try {
    let up = false;
    while (!up && vm.exitCode === null && Date.now() - started < 240_000) {
      up = await ask(port);
      if (!up) await new Promise((done) => setTimeout(done, 100));
    }
    if (!up) throw new Error(`${image} did not serve:\n${console_.slice(-2000)}`);
    const serving = (Date.now() - started) / 1000;
    const pressed = Date.now();
    const socket = createConnection(monitor, () => socket.end("system_powerdown\n"));
    socket.on("error", () => undefined);
    const off = await exited;
    if (!/mcc: exit status/.test(console_)) throw new Error(`${image} did not stop cleanly:\n${console_.slice(-2000)}`);
    return { serving, stopping: (off - pressed) / 1000 };
  } finally {
    clearTimeout(killer);
    vm.kill("SIGKILL");
  }
}

const applianceTable = [
  `| appliance | boots from | ISO | raw disk (allocated) | qcow2 | boot to serving | power button to off |`,
  `| --- | --- | ---: | ---: | ---: | ---: | ---: |`,
  ...applianceRows.map((r) => `| ${r.name} | ${r.medium === "iso" ? "ISO, BIOS" : "raw disk, UEFI"} | ${mib(r.sizes.iso.bytes)} | ${mib(r.sizes.raw.bytes)} (${mib(r.sizes.raw.allocated)}) | ${mib(r.sizes.qcow2.bytes)} | ${r.serving.toFixed(1)} s | ${r.stopping.toFixed(1)} s |`),
].join("\n");

const qemuVersion = spawnSync("qemu-system-x86_64", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].replace(/^QEMU emulator version /, "");
const cores = (await import("node:os")).cpus().length;
const doc = join(repo, "docs", "boot.md");
let text = readFileSync(doc, "utf8");
/** Replaces what lies between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. */
const between = (name, content) => {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  text = text.slice(0, text.indexOf(start) + start.length) + `\n${content}\n` + text.slice(text.indexOf(end));
};
if (rows.length > 0) between("boot", `${examplesTable}\n\nMedians of ${RUNS} boots each, qemu ${qemuVersion} with software emulation (TCG, no KVM), 512 MiB, on ${cores} shared cores; times vary with the machine, sizes do not.`);
if (applianceRows.length > 0) between("appliances", `${applianceTable}\n\nMedians of ${RUNS} boots per row, qemu ${qemuVersion} with software emulation (TCG, no KVM), 512 MiB, on ${cores} shared cores, DHCP from qemu's user network; "boot to serving" runs from starting qemu to the first answer on the forwarded port (an HTTP 200, a redis PONG), polled every 100 ms.`);
writeFileSync(doc, text);
rmSync(work, { recursive: true, force: true });
