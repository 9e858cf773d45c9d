// An appliance's life, booted for real: qemu's `system_powerdown` (the ACPI power button on
// amd64, a GPIO key on arm64's virt machine) reaches the program as SIGTERM, it exits, and the
// machine powers off by itself; a program that ignores it is killed after the grace period;
// `onExit: restart` runs the program again after a pause, with the status line each time, until
// the power button stops it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_TIMEOUT_MS, MACHINES } from "../support/boot.js";
import { repoRoot } from "../helpers.js";
import { runMcc } from "../support/io.js";
import { AAVMF, boot } from "../support/qemu.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-lifecycle-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

async function build(name: string, script: string, onExit = "poweroff", arch: keyof typeof MACHINES = "amd64"): Promise<string> {
  const file = join(work, `${name}.yml`);
  writeFileSync(file, `name: ${name}\nfrom: { release: bookworm, archs: [${arch}] }\npackages: [busybox-static]\nexecutable: /bin/busybox\nuser: { name: app, uid: 1000, gid: 1000 }\nargs: [sh, -c, '${script}']\nboot: { onExit: ${onExit} }\n`);
  const out = join(work, `out-${name}`);
  const built = await runMcc(["compile", file, "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 0, built.stderr);
  return out;
}

/**
 * Boots it with a monitor socket; each time the console shows a line matching `at`, the
 * monitor is sent its command. Resolves with the console when qemu exits by itself.
 */
function run(out: string, steps: readonly { at: RegExp; command: string }[], extra: readonly string[] = [], arch: keyof typeof MACHINES = "amd64"): Promise<{ console: string; code: number | null }> {
  const monitor = join(work, `monitor-${Math.random().toString(16).slice(2)}.sock`);
  const { qemu, console: tty, args } = MACHINES[arch];
  const vm = spawn(qemu, [...args, "-accel", "tcg", "-nographic", "-no-reboot", "-m", "256", "-kernel", join(out, "vmlinuz"), "-initrd", join(out, "initrd.img"), "-append", `console=${tty} panic=-1 quiet`, "-monitor", `unix:${monitor},server,nowait`, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  let next = 0;
  return new Promise((done) => {
    const killer = setTimeout(() => vm.kill("SIGKILL"), BOOT_TIMEOUT_MS);
    vm.stdout.on("data", (d: Buffer) => {
      text += d.toString().replace(/\r/g, "");
      const step = steps[next];
      if (step !== undefined && step.at.test(text)) {
        next++;
        // A moment for the init's watchers to be reading their devices.
        setTimeout(() => {
          const socket = createConnection(monitor, () => socket.end(`${step.command}\n`));
          socket.on("error", () => undefined);
        }, 1000);
      }
    });
    vm.on("exit", (code) => {
      clearTimeout(killer);
      done({ console: text.replace(/\r/g, ""), code });
    });
  });
}

/** `mcc disk ARGS` (which takes no cache), as a user runs it. */
function mccDisk(args: readonly string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, "dist", "cli", "main.js"), "disk", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

const mccLines = (console: string) => console.split("\n").flatMap((l) => /mcc: .*$/.exec(l) ?? []).filter((l) => !l.startsWith("mcc: no disk labelled "));

test("the power button: the program gets SIGTERM, exits, and the machine powers off by itself", async () => {
  const out = await build("stops", 'trap "echo stopping cleanly; exit 0" TERM; echo ready; while :; do sleep 1; done');
  const { console, code } = await run(out, [{ at: /ready\n/, command: "system_powerdown" }]);
  assert.is(code, 0, console);
  assert.match(console, /^stopping cleanly$/m);
  assert.equal(mccLines(console), ["mcc: power button: stopping the program (SIGTERM, SIGKILL after 10 s)", "mcc: exit status 0"]);
  assert.match(console, /reboot: Power down/);
});

test("arm64: the power button of qemu's virt machine (a GPIO key, in its device tree) stops the program the same way", async () => {
  needTools(MACHINES.arm64.qemu);
  const out = await build("stops-arm64", 'trap "echo stopping cleanly; exit 0" TERM; echo ready; while :; do sleep 1; done', "poweroff", "arm64");
  const { console, code } = await run(out, [{ at: /ready\n/, command: "system_powerdown" }], [], "arm64");
  assert.is(code, 0, console);
  assert.match(console, /^stopping cleanly$/m);
  assert.equal(mccLines(console), ["mcc: power button: stopping the program (SIGTERM, SIGKILL after 10 s)", "mcc: exit status 0"]);
  assert.match(console, /reboot: Power down/);
});

test("arm64 from its ISO under UEFI (AAVMF): the power button comes through ACPI, and stops the program the same way", async () => {
  needTools(MACHINES.arm64.qemu, AAVMF.code);
  const file = join(work, "stops-arm64-iso.yml");
  writeFileSync(file, `name: stops\nfrom: { release: bookworm, archs: [arm64] }\npackages: [busybox-static]\nexecutable: /bin/busybox\nuser: { name: app, uid: 1000, gid: 1000 }\nargs: [sh, -c, 'trap "echo stopping cleanly; exit 0" TERM; echo ready; while :; do sleep 1; done']\n`);
  const iso = join(work, "stops-arm64.iso");
  const built = await runMcc(["compile", file, "--format", "iso", "-o", iso, "-q"]);
  assert.is(built.code, 0, built.stderr);
  const run = await boot({ iso }, { firmware: "uefi-arm64", timeoutSeconds: BOOT_TIMEOUT_MS / 1000, monitor: { at: /ready\n/, command: "system_powerdown" } });
  assert.not.ok(run.timedOut, run.console.slice(-3000));
  assert.is(run.code, 0, run.console.slice(-3000));
  assert.match(run.console, /stopping cleanly\n/);
  assert.equal(mccLines(run.console), ["mcc: power button: stopping the program (SIGTERM, SIGKILL after 10 s)", "mcc: exit status 0"]);
});

test("a program that ignores SIGTERM is killed after the grace period", async () => {
  const out = await build("stubborn", 'trap "" TERM; echo ready; while :; do sleep 1; done');
  const { console, code } = await run(out, [{ at: /ready\n/, command: "system_powerdown" }]);
  assert.is(code, 0, console);
  assert.equal(mccLines(console), ["mcc: power button: stopping the program (SIGTERM, SIGKILL after 10 s)", "mcc: the program did not stop within 10 s: SIGKILL", "mcc: exit status 137"]);
});

test("onExit restart: the program runs again after a pause, a status line each time; the power button ends it", async () => {
  const out = await build("again", "echo run; exit 3", "restart");
  const { console, code } = await run(out, [{ at: /(mcc: exit status 3\n[^]*){3}/, command: "system_powerdown" }]);
  assert.is(code, 0, console);
  const lines = mccLines(console);
  assert.ok(lines.filter((l) => l === "mcc: exit status 3").length >= 3, console);
  assert.ok(lines.filter((l) => l === "mcc: restarting the program").length >= 2, console);
  assert.is(lines.at(-1), "mcc: power button: stopping the program (SIGTERM, SIGKILL after 10 s)", console);
  assert.match(console, /reboot: Power down/);
});

test("a volume on a disk mcc wrote: the run user's, kept across a clean power-off and a second boot", async () => {
  needTools("e2fsck");
  const disk = join(work, "data.img");
  const made = mccDisk([disk, "--size", "64M"]);
  assert.is(made.code, 0, made.stderr);
  // A counter kept in /write: read at start, written back when the power button says stop.
  const out = await build("counter", 'n=$(cat /write/count 2>/dev/null || echo 0); n=$((n + 1)); echo "boot $n as $(id -u)"; trap "echo $n > /write/count; echo saved $n; exit 0" TERM; echo ready; while :; do sleep 1; done');
  const drive = ["-drive", `file=${disk},format=raw,if=virtio`];
  for (const n of [1, 2]) {
    const { console, code } = await run(out, [{ at: /ready\n/, command: "system_powerdown" }], drive);
    assert.is(code, 0, console);
    assert.match(console, /mcc: \/write is the disk labelled write\n/);
    assert.match(console, new RegExp(`boot ${n} as 1000\n`), console);
    assert.match(console, new RegExp(`saved ${n}\n`), console);
    assert.match(console, /reboot: Power down/);
  }
  // Unmounted cleanly: e2fsck finds nothing to mend.
  const fsck = spawnSync("e2fsck", ["-fn", disk], { encoding: "utf8", timeout: 60_000 });
  assert.is(fsck.status, 0, fsck.stdout + fsck.stderr);
});

test("mcc disk: the same bytes every time, e2fsck-clean, never over an existing file", async () => {
  needTools("e2fsck", "dumpe2fs");
  const a = join(work, "a.img");
  const b = join(work, "b.img");
  for (const f of [a, b]) assert.is(mccDisk([f, "--size", "200M", "--label", "data"]).code, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)));
  for (const [size, file] of [["200M", a], ["8M", join(work, "8m.img")], ["1G", join(work, "1g.img")]] as const) {
    if (size !== "200M") assert.is(mccDisk([file, "--size", size]).code, 0);
    const fsck = spawnSync("e2fsck", ["-fn", file], { encoding: "utf8", timeout: 60_000 });
    assert.is(fsck.status, 0, `${size}: ${fsck.stdout}`);
  }
  const header = spawnSync("dumpe2fs", ["-h", a], { encoding: "utf8", timeout: 60_000 }).stdout;
  assert.match(header, /^Filesystem volume name:\s+data$/m);
  assert.match(header, /^Filesystem features:\s+filetype extent sparse_super large_file extra_isize$/m);
  const again = mccDisk([a, "--size", "200M"]);
  assert.is(again.code, 1);
  assert.match(again.stderr, /exists; mcc disk writes a new disk and never replaces one/);
  assert.is(mccDisk([join(work, "c.img"), "--size", "3M"]).code, 2);
  assert.is(mccDisk([join(work, "c.img"), "--size", "64M", "--label", "a/b"]).code, 2);
});

test.run();
