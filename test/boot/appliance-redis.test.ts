// The whole appliance, with a real database nobody here wrote: Debian's redis-server as a raw GPT
// disk booted under UEFI (OVMF), DHCP because the spec declares its port, its data on a second
// disk mcc wrote (found by its label, though the boot disk comes first). A client on the host
// stores a key through a forwarded port; the power button stops redis, which saves and exits;
// the VM powers off by itself; booted again with the same data disk, the key is there.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { BOOT_TIMEOUT_MS } from "../support/boot.js";
import { runMcc } from "../support/io.js";
import { OVMF } from "../support/qemu.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-redis-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** The appliance's spec, shared with bench/boot.mjs. */
const SPEC = join(repoRoot, "test", "boot", "kv.yml");

/** One RESP command, its reply's first line (or undefined when nothing answers). */
function redis(port: number, ...words: string[]): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write(`*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`));
    let reply = "";
    const finish = (value: string | undefined) => {
      socket.destroy();
      done(value);
    };
    socket.setTimeout(5000, () => finish(undefined));
    socket.on("data", (d: Buffer) => {
      reply += d.toString();
      const lines = reply.split("\r\n");
      if (reply.startsWith("$") && lines.length >= 3) finish(lines[1]);
      else if (!reply.startsWith("$") && lines.length >= 2) finish(lines[0]);
    });
    socket.on("error", () => finish(undefined));
  });
}

/** Boots the appliance's disk with the data disk; runs `session` once redis answers; then the power button; resolves when qemu exits. */
async function boot(disk: string, data: string, session: (port: number) => Promise<void>): Promise<{ console: string; code: number | null }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const monitor = join(work, `monitor-${port}.sock`);
  copyFileSync(OVMF.code, join(work, "code.fd"));
  copyFileSync(OVMF.vars, join(work, "vars.fd"));
  const vm = spawn("qemu-system-x86_64", ["-accel", "tcg", "-nographic", "-no-reboot", "-m", "512", "-drive", `if=pflash,format=raw,readonly=on,file=${join(work, "code.fd")}`, "-drive", `if=pflash,format=raw,file=${join(work, "vars.fd")}`, "-drive", `file=${disk},format=raw,if=virtio`, "-drive", `file=${data},format=raw,if=virtio`, "-nic", `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:6379`, "-monitor", `unix:${monitor},server,nowait`], { stdio: ["ignore", "pipe", "pipe"] });
  let console_ = "";
  vm.stdout.on("data", (d: Buffer) => (console_ += d.toString().replace(/\r/g, "")));
  const exited = new Promise<number | null>((done) => vm.on("exit", (code) => done(code)));
  const killer = setTimeout(() => vm.kill("SIGKILL"), 3 * BOOT_TIMEOUT_MS);
  try {
    let up = false;
    for (const started = Date.now(); !up && Date.now() - started < 2 * BOOT_TIMEOUT_MS && vm.exitCode === null; ) {
      up = (await redis(port, "PING")) === "+PONG";
      if (!up) await new Promise((done) => setTimeout(done, 1000));
    }
    assert.ok(up, `redis never answered; the console:\n${console_}`);
    await session(port);
    const socket = createConnection(monitor, () => socket.end("system_powerdown\n"));
    socket.on("error", () => undefined);
    const code = await exited;
    return { console: console_, code };
  } finally {
    clearTimeout(killer);
    vm.kill("SIGKILL");
  }
}

test("redis-server as a raw disk: a key stored, the power button, a second boot with the same data disk: the key is there", async () => {
  needTools("qemu-system-x86_64", OVMF.code, "e2fsck");
  copyFileSync(SPEC, join(work, "kv.yml"));
  const disk = join(work, "kv.raw");
  const built = await runMcc(["compile", join(work, "kv.yml"), "--format", "raw", "-o", disk, "-q"]);
  assert.is(built.code, 0, built.stderr);
  const data = join(work, "data.img");
  const made = spawnSync(process.execPath, [join(repoRoot, "dist", "cli", "main.js"), "disk", data, "--size", "64M"], { encoding: "utf8", timeout: 60_000 });
  assert.is(made.status, 0, made.stderr);

  const first = await boot(disk, data, async (port) => {
    assert.is(await redis(port, "SET", "greeting", "kept across power-off"), "+OK");
  });
  assert.is(first.code, 0, first.console);
  assert.match(first.console, /mcc: \/write is the disk labelled write/);
  assert.match(first.console, /mcc: power button: stopping the program/);
  assert.match(first.console, /Received SIGTERM scheduling shutdown/);
  assert.match(first.console, /mcc: exit status 0/);

  const second = await boot(disk, data, async (port) => {
    assert.is(await redis(port, "GET", "greeting"), "kept across power-off");
  });
  assert.is(second.code, 0, second.console);
  const fsck = spawnSync("e2fsck", ["-fn", data], { encoding: "utf8", timeout: 60_000 });
  assert.is(fsck.status, 0, fsck.stdout);
});

test.run();
