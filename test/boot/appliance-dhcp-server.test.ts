// DHCP from a real server, not qemu's: dnsmasq (Debian's dnsmasq-base) on a tap device this
// test makes, the appliance on the other end of it. The appliance takes its address, router and
// name server from dnsmasq's lease, and serves the host over that network directly (no port
// forwarding). Needs root, as making a tap device does.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_TIMEOUT_MS, MACHINES } from "../support/boot.js";
import { runMcc } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-dhcp-"));
const tap = `mcc${randomBytes(3).toString("hex")}`;
const children: ChildProcess[] = [];

test.after(() => {
  for (const c of children) c.kill("SIGKILL");
  spawnSync("ip", ["link", "del", tap], { timeout: 30_000 });
  rmSync(work, { recursive: true, force: true });
});

const SPEC = `name: served
from: { release: bookworm, archs: [amd64] }
packages: [busybox-static]
executable: /bin/busybox
args: [sh, -c, "cat /etc/resolv.conf; ip route; exec busybox httpd -f -p 8080 -h /read/www"]
user: { name: www, uid: 1000, gid: 1000 }
mounts: [{ path: /run, type: tmpfs }, { path: /read, type: config }]
files: [{ path: /read/www/index.html, content: "over dnsmasq's network" }]
ports: [8080]
`;

test("dnsmasq on a tap device: the appliance's lease, router and name server, and its page reached at the leased address", async () => {
  needTools("dnsmasq", "ip", "curl");
  assert.is(process.getuid?.(), 0, "making a tap device needs root");
  for (const args of [["tuntap", "add", "dev", tap, "mode", "tap"], ["addr", "add", "192.168.77.1/24", "dev", tap], ["link", "set", tap, "up"]]) {
    const r = spawnSync("ip", args, { encoding: "utf8", timeout: 30_000 });
    assert.is(r.status, 0, `ip ${args.join(" ")}: ${r.stderr}`);
  }
  const leases = join(work, "leases");
  const dnsmasq = spawn("dnsmasq", ["--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null", `--interface=${tap}`, "--bind-interfaces", "--except-interface=lo", "--port=0", "--dhcp-range=192.168.77.50,192.168.77.60,255.255.255.0,1h", "--dhcp-option=option:router,192.168.77.1", "--dhcp-option=option:dns-server,192.168.77.1", `--dhcp-leasefile=${leases}`, "--pid-file"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(dnsmasq);
  let log = "";
  dnsmasq.stderr.on("data", (d: Buffer) => (log += d.toString()));

  const file = join(work, "served.yml");
  writeFileSync(file, SPEC);
  const out = join(work, "out");
  const built = await runMcc(["compile", file, "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 0, built.stderr);
  const { qemu, console: tty } = MACHINES.amd64;
  const vm = spawn(qemu, ["-accel", "tcg", "-nographic", "-no-reboot", "-m", "256", "-kernel", join(out, "vmlinuz"), "-initrd", join(out, "initrd.img"), "-append", `console=${tty} panic=-1 quiet`, "-netdev", `tap,id=n0,ifname=${tap},script=no,downscript=no`, "-device", "virtio-net-pci,netdev=n0"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(vm);
  let console_ = "";
  vm.stdout.on("data", (d: Buffer) => (console_ += d.toString().replace(/\r/g, "")));

  let address: string | undefined;
  let body = "";
  for (const started = Date.now(); Date.now() - started < BOOT_TIMEOUT_MS && vm.exitCode === null && body === ""; ) {
    await new Promise((done) => setTimeout(done, 1000));
    address ??= /^\S+ \S+ (192\.168\.77\.\d+) /m.exec(safeRead(leases))?.[1];
    if (address === undefined) continue;
    const r = spawnSync("curl", ["-s", "-m", "5", `http://${address}:8080/`], { encoding: "utf8", timeout: 10_000 });
    if (r.status === 0) body = r.stdout;
  }
  assert.ok(address !== undefined, `no lease in ${leases}; dnsmasq said:\n${log}\nthe console:\n${console_}`);
  assert.is(body, "over dnsmasq's network", console_);
  assert.match(console_, /IP-Config: eth0 complete \(dhcp from 192\.168\.77\.1\)/);
  assert.match(console_, /nameserver 192\.168\.77\.1\n/);
  assert.match(console_, /default via 192\.168\.77\.1 dev eth0/);
  assert.match(log, /DHCPACK\(mcc\w+\) 192\.168\.77\.\d+ 52:54:00/);
});

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

test.run();
