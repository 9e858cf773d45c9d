// The debugging toolkit for appliances, booted for real: `mcc debug --disk` writes the toolkit
// as an ext4 disk labelled mcc-debug; attached to an appliance's virtual machine, the init
// mounts it read-only at /run/mcc-debug and starts a root shell on the console beside the
// program. The shell sees the appliance's root, its processes and its network; strace attaches
// to the program; the power button still stops the program and powers the machine off. Without
// the disk, nothing of it is there. The image itself never holds the toolkit.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_TIMEOUT_MS, MACHINES } from "../support/boot.js";
import { repoRoot } from "../helpers.js";
import { runMcc } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-appliance-debug-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** The program: lists /run (where the toolkit is mounted, when it is), then waits, as uid 1000. */
const PROGRAM = "ls -a /run; echo program ready; trap \"echo program stopping; exit 0\" TERM; while :; do sleep 1; done";

async function appliance(arch: keyof typeof MACHINES): Promise<string> {
  const file = join(work, `waits-${arch}.yml`);
  writeFileSync(file, `name: waits\nfrom: { release: bookworm, archs: [${arch}] }\npackages: [busybox-static]\nexecutable: /bin/busybox\nuser: { name: app, uid: 1000, gid: 1000 }\nargs: [sh, -c, '${PROGRAM}']\n`);
  const out = join(work, `out-${arch}`);
  const built = await runMcc(["compile", file, "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 0, built.stderr);
  return out;
}

async function toolkitDisk(arch: keyof typeof MACHINES): Promise<string> {
  const disk = join(work, `debug-${arch}.img`);
  const made = await runMcc(["debug", "--disk", disk, "--arch", arch, "--toolkit", join(work, `toolkit-${arch}`)]);
  assert.is(made.code, 0, made.stderr);
  assert.match(made.stdout, /ext4 labelled mcc-debug/);
  return disk;
}

/**
 * Boots the appliance with its console on qemu's stdin and stdout. Each step waits for its
 * pattern in what the console printed since the previous step, then types its input (or sends
 * a command to qemu's monitor). Resolves with the console, by step, when qemu exits by itself.
 */
function session(arch: keyof typeof MACHINES, out: string, extra: readonly string[], steps: readonly { at: RegExp; type?: string; monitor?: string }[]): Promise<{ parts: string[]; code: number | null }> {
  const { qemu, console: tty, args } = MACHINES[arch];
  const monitor = join(work, `monitor-${Math.random().toString(16).slice(2)}.sock`);
  const vm = spawn(qemu, [...args, "-accel", "tcg", "-nographic", "-no-reboot", "-m", "256", "-kernel", join(out, "vmlinuz"), "-initrd", join(out, "initrd.img"), "-append", `console=${tty} panic=-1 quiet`, "-monitor", `unix:${monitor},server,nowait`, ...extra], { stdio: ["pipe", "pipe", "pipe"] });
  const parts: string[] = [""];
  const raw: string[] = [""];
  let next = 0;
  return new Promise((done) => {
    const killer = setTimeout(() => vm.kill("SIGKILL"), BOOT_TIMEOUT_MS * 2);
    vm.stdout.on("data", (d: Buffer) => {
      raw[raw.length - 1] += d.toString();
      // Without the terminal's control sequences (the shell asks where the cursor is), which
      // may arrive split across reads.
      parts[parts.length - 1] = (raw[raw.length - 1] as string).replace(/\r/g, "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
      const step = steps[next];
      if (step === undefined || !step.at.test(parts[parts.length - 1] as string)) return;
      next++;
      parts.push("");
      raw.push("");
      if (step.type !== undefined) vm.stdin.write(step.type);
      if (step.monitor !== undefined) {
        const command = step.monitor;
        setTimeout(() => {
          const socket = createConnection(monitor, () => socket.end(`${command}\n`));
          socket.on("error", () => undefined);
        }, 1000);
      }
    });
    vm.on("exit", (code) => {
      clearTimeout(killer);
      vm.stdin.destroy();
      done({ parts, code });
    });
  });
}

const PROMPT = /mcc-debug:\/# $/;

for (const arch of ["amd64", "arm64"] as const) {
  test(`${arch}: with the toolkit's disk attached, a root shell on the console sees the program, its root and its processes; strace attaches; the power button still stops it`, async () => {
    needTools(MACHINES[arch].qemu);
    const out = await appliance(arch);
    const disk = await toolkitDisk(arch);
    // A volume's disk beside it: each is found by its label, whatever the order.
    const volume = join(work, `write-${arch}.img`);
    const made = spawnSync(process.execPath, [join(repoRoot, "dist", "cli", "main.js"), "disk", volume, "--size", "16M"], { encoding: "utf8", timeout: 60_000 });
    assert.is(made.status, 0, made.stderr);
    const drive = ["-drive", `file=${volume},if=virtio,format=raw`, "-drive", `file=${disk},if=virtio,format=raw,readonly=on`];
    const { parts, code } = await session(arch, out, drive, [
      { at: /^(?=[^]*program ready\n)(?=[^]*mcc-debug:\/# )/, type: "echo marker-$((6*7)); id; ls /; grep -E '^(Name|Uid)' /proc/1/status\n" },
      { at: /marker-42\n[^]*mcc-debug:\/# $/, type: "ps -o pid,user,args; mount | grep mcc-debug\n" },
      { at: PROMPT, type: "timeout 3 strace -p $(ps -o pid,args | grep '[p]rogram ready' | awk '{ print $1 }') 2>&1 | head -n 4; echo strace-done\n" },
      { at: /strace-done\n[^]*mcc-debug:\/# $/, monitor: "system_powerdown" },
    ]);
    const all = parts.join("");
    assert.is(code, 0, all);
    const [boot, first, second, third] = parts as [string, string, string, string];
    // The init says the disk is there; the program sees the mount point but may not enter it.
    assert.match(boot, /mcc: the debugging toolkit's disk is attached: a root shell on the console \(\/run\/mcc-debug\)/);
    assert.match(boot, /^mcc-debug$|\smcc-debug$/m, "the program's ls /run lists the toolkit's mount point");
    assert.match(boot, /mcc: \/write is the disk labelled write/);
    // Root, in the appliance's own root.
    assert.match(first, /^marker-42$/m);
    assert.match(first, /uid=0\(root\) gid=0\(root\)/);
    assert.match(first, /^Name:\s+init/m, "PID 1 is mcc's init");
    for (const dir of ["proc", "run", "usr"]) assert.match(first, new RegExp(`(^|\\s)${dir}(\\s|$)`, "m"), `ls / shows ${dir}`);
    // The program, as its user, beside the shell; the toolkit read-only.
    assert.match(second, /^\s*\d+\s+(1000|app)\s+.*program ready/m, "ps shows the program running as uid 1000");
    assert.match(second, /\/run\/mcc-debug type ext4 \(ro,nosuid,nodev/);
    // strace, a dynamic tool run through the toolkit's own loader, attaches to the program.
    assert.match(third, /strace: Process \d+ attached/, third);
    assert.match(third, /wait4|rt_sigsuspend|restart_syscall|nanosleep/, third);
    // The power button: the program is told, exits, and the machine powers off.
    assert.match(all, /^program stopping$/m);
    assert.match(all, /reboot: Power down/);
  });
}

test("amd64: without the toolkit's disk, the console is the program's alone and /run holds no mcc-debug", async () => {
  needTools(MACHINES.amd64.qemu);
  const out = await appliance("amd64");
  const { parts, code } = await session("amd64", out, [], [{ at: /program ready\n/, monitor: "system_powerdown" }]);
  const all = parts.join("");
  assert.is(code, 0, all);
  assert.not.match(all, /mcc-debug/);
  assert.match(all, /^program stopping$/m);
});

test("bad input: a disk that exists is left as it is; a target with --disk is refused", async () => {
  const taken = join(work, "taken.img");
  writeFileSync(taken, "keep me");
  const refused = await runMcc(["debug", "--disk", taken, "--toolkit", join(work, "toolkit-amd64")]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /already exists; mcc writes a new disk and leaves that one as it is/);
  assert.ok(existsSync(taken));
  const withTarget = await runMcc(["debug", "1", "--disk", join(work, "new.img")]);
  assert.is(withTarget.code, 2);
  assert.match(withTarget.stderr, /--disk writes the toolkit as a disk for an appliance and takes no target/);
  assert.not.ok(existsSync(join(work, "new.img")));
});

test.run();
