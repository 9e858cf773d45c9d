// Appliances on the network, booted for real under qemu's software emulation. mcc takes
// virtio's modules from the locked kernel package, in the order their .modinfo gives; the init
// loads them, brings up lo, sets a static address or runs klibc's DHCP client (against qemu's
// user network) and writes /etc/resolv.conf from its lease; the program finds its address,
// route, name servers and host name, and nothing of the boot stage in /. Then servers: the
// busybox httpd example, and one on port 80 as a user, answer curl on the host through a
// forwarded loopback port.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { repoRoot } from "../helpers.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOOT_TIMEOUT_MS, bootQemu, expectLine, MACHINES, mccLines } from "../support/boot.js";
import { runMcc } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-appliance-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const spec = (arch: string, script = "ip addr; ls -a /; cat /proc/modules", boot = "") => `name: netcheck
from: { release: bookworm, archs: [${arch}] }
packages: [busybox-static]
executable: /bin/busybox
user: 0
args: [sh, -c, "${script}"]
${boot}`;

async function kernelInitrd(name: string, text: string): Promise<string> {
  const file = join(work, `${name}.yml`);
  writeFileSync(file, text);
  const out = join(work, `out-${name}`);
  const built = await runMcc(["compile", file, "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 0, built.stderr);
  return out;
}

const LOOK = "cat /etc/resolv.conf /etc/hosts; hostname; ip addr show eth0; ip route; ls -a / /lib /usr/lib /.mcc-boot; true";

for (const [how, boot] of [
  ["DHCP", "boot: { network: dhcp }\n"],
  ["a static address", "boot: { network: { address: 10.0.2.15/24, gateway: 10.0.2.2, dns: [10.0.2.3] } }\n"],
] as const) {
  test(`amd64, ${how}: the address, the default route, /etc/resolv.conf, /etc/hosts and the host name; no DHCP client or boot stage left`, async () => {
    const out = await kernelInitrd(how === "DHCP" ? "dhcp" : "static", spec("amd64", LOOK, boot));
    const boot_ = bootQemu("amd64", join(out, "vmlinuz"), join(out, "initrd.img"), ["-nic", "user,model=virtio-net-pci"]);
    const console_ = boot_.lines.join("\n");
    assert.equal(mccLines(boot_.lines), ["mcc: exit status 0"], console_);
    // The program's first line may follow the firmware's last on the console, which ends without a newline.
    expectLine(boot_.lines, /(^|\.)nameserver 10\.0\.2\.3$/);
    assert.is(boot_.lines.filter((l) => /nameserver /.test(l)).length, 1, console_);
    expectLine(boot_.lines, /^127\.0\.1\.1\tnetcheck$/);
    expectLine(boot_.lines, /^netcheck$/);
    expectLine(boot_.lines, /^\s*inet 10\.0\.2\.15\/24 .*eth0$/);
    expectLine(boot_.lines, /^default via 10\.0\.2\.2 dev eth0/);
    expectLine(boot_.lines, /ls: \/\.mcc-boot: No such file or directory/);
    assert.not.ok(boot_.lines.some((l) => /klibc|ipconfig/.test(l) && !/^IP-Config/.test(l)), console_);
    if (how === "DHCP") expectLine(boot_.lines, /^IP-Config: eth0 complete \(dhcp from 10\.0\.2\.2\)/);
  });
}

/**
 * Boots an appliance with qemu's user network forwarding a host loopback port to `guestPort`,
 * and returns what curl gets from it (polled until it answers, or the boot's time is up).
 */
async function serve(arch: "amd64" | "arm64", out: string, guestPort: number, media?: readonly string[]): Promise<{ body: string; console: string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const { qemu, args, console: tty } = MACHINES[arch];
  const boot = media ?? ["-kernel", join(out, "vmlinuz"), "-initrd", join(out, "initrd.img"), "-append", `console=${tty} panic=-1 quiet`];
  const vm = spawn(qemu, [...args, "-accel", "tcg", "-nographic", "-no-reboot", "-m", "512", ...boot, "-nic", `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:${guestPort}`], { stdio: ["ignore", "pipe", "pipe"] });
  let console_ = "";
  vm.stdout.on("data", (d: Buffer) => (console_ += d.toString()));
  const killer = setTimeout(() => vm.kill("SIGKILL"), BOOT_TIMEOUT_MS);
  try {
    for (const started = Date.now(); Date.now() - started < BOOT_TIMEOUT_MS - 5000 && vm.exitCode === null; ) {
      const r = spawnSync("curl", ["-s", "-m", "5", `http://127.0.0.1:${port}/`], { encoding: "utf8", timeout: 10_000 });
      if (r.status === 0 && r.stdout !== "") return { body: r.stdout, console: console_ };
      await new Promise((done) => setTimeout(done, 1000));
    }
    return { body: "", console: console_ };
  } finally {
    clearTimeout(killer);
    vm.kill("SIGKILL");
  }
}

test("the busybox httpd example as an appliance: ports give DHCP, the page reaches curl on the host", async () => {
  copyFileSync(join(repoRoot, "examples", "busybox-httpd.yml"), join(work, "httpd.yml"));
  copyFileSync(join(repoRoot, "examples", "app.conf"), join(work, "app.conf"));
  const out = join(work, "out-httpd");
  const built = await runMcc(["compile", join(work, "httpd.yml"), "--format", "kernel+initrd", "-o", out, "--arch", "amd64", "-q"]);
  assert.is(built.code, 0, built.stderr);
  const got = await serve("amd64", out, 8080);
  assert.match(got.body, /served from a microcontainer/, got.console);
});

test("the httpd example as a raw GPT disk boots under UEFI (OVMF) and serves; as qcow2, qemu-img check passes and it serves too; both the same bytes when rebuilt", async () => {
  const build = async (format: string, out: string, cache?: string) => {
    const r = await runMcc(["compile", join(work, "httpd.yml"), "--format", format, "-o", out, "--arch", "amd64", "-q", ...(cache === undefined ? [] : ["--cache", cache])]);
    assert.is(r.code, 0, r.stderr);
    return out;
  };
  needTools("qemu-img", "sfdisk");
  const raw = await build("raw", join(work, "httpd.raw"));
  const qcow = await build("qcow2", join(work, "httpd.qcow2"));
  const check = spawnSync("qemu-img", ["check", qcow], { encoding: "utf8", timeout: 60_000 });
  assert.is(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /No errors were found on the image/);
  const info = spawnSync("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", raw, qcow], { encoding: "utf8", timeout: 60_000 });
  assert.is(info.status, 0, `qemu-img compare: ${info.stdout}${info.stderr}`);
  // The partition table as a partitioning tool reads it: one EFI System Partition at 1 MiB.
  const table = spawnSync("sfdisk", ["--dump", raw], { encoding: "utf8", timeout: 60_000 });
  assert.is(table.status, 0, table.stderr);
  assert.match(table.stdout, /label: gpt/);
  assert.match(table.stdout, /start=\s*2048, .*type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B/);
  // Rebuilt with an empty cache: the same bytes.
  const again = await build("raw", join(work, "httpd-again.raw"), join(work, "other-cache"));
  assert.ok(readFileSync(again).equals(readFileSync(raw)), "the raw disk differs when rebuilt");
  const { OVMF } = await import("../support/qemu.js");
  const firmware = (name: string) => {
    copyFileSync(OVMF.code, join(work, `${name}-code.fd`));
    copyFileSync(OVMF.vars, join(work, `${name}-vars.fd`));
    return ["-drive", `if=pflash,format=raw,readonly=on,file=${join(work, `${name}-code.fd`)}`, "-drive", `if=pflash,format=raw,file=${join(work, `${name}-vars.fd`)}`];
  };
  for (const [disk, format] of [[raw, "raw"], [qcow, "qcow2"]] as const) {
    const got = await serve("amd64", "", 8080, [...firmware(format), "-drive", `file=${disk},format=${format},if=virtio`]);
    assert.match(got.body, /served from a microcontainer/, got.console);
  }
});

const PORT_80 = (arch: string) => `name: web
from: { release: bookworm, archs: [${arch}] }
packages: [busybox-static]
executable: /bin/busybox
args: [httpd, -f, -p, "80", -h, /read/www]
user: { name: www, uid: 1000, gid: 1000 }
mounts: [{ path: /run, type: tmpfs }, { path: /read, type: config }]
files: [{ path: /read/www/index.html, content: "port 80 as www on ${arch}" }]
ports: [80]
boot: { network: { address: 10.0.2.15/24, gateway: 10.0.2.2 } }
`;

test("amd64: the port-80 server as an ISO (BIOS), with a static address, answers curl on the host", async () => {
  const file = join(work, "web-iso.yml");
  writeFileSync(file, PORT_80("amd64"));
  const iso = join(work, "web.iso");
  const built = await runMcc(["compile", file, "--format", "iso", "-o", iso, "-q"]);
  assert.is(built.code, 0, built.stderr);
  const got = await serve("amd64", "", 80, ["-cdrom", iso]);
  assert.is(got.body, "port 80 as www on amd64", got.console);
});

for (const arch of ["amd64", "arm64"] as const) {
  test(`${arch}: a server on port 80 as a user, with a static address, answers curl on the host`, async () => {
    const out = await kernelInitrd(`web-${arch}`, PORT_80(arch));
    const got = await serve(arch, out, 80);
    assert.is(got.body, `port 80 as www on ${arch}`, got.console);
  });
}

for (const arch of ["amd64", "arm64"] as const) {
  test(`${arch}: virtio's modules loaded in dependency order, eth0 there, lo up, no boot stage left`, async () => {
    const { qemu, pkg } = MACHINES[arch];
    assert.ok(spawnSync("sh", ["-c", `command -v ${qemu}`]).status === 0, `${qemu} is needed (Debian package ${pkg})`);
    const file = join(work, `netcheck-${arch}.yml`);
    writeFileSync(file, spec(arch));
    const out = join(work, `out-${arch}`);
    const built = await runMcc(["compile", file, "--format", "kernel+initrd", "-o", out, "-q"]);
    assert.is(built.code, 0, built.stderr);
    const boot = bootQemu(arch, join(out, "vmlinuz"), join(out, "initrd.img"), ["-nic", "user,model=virtio-net-pci"]);
    assert.equal(mccLines(boot.lines), ["mcc: exit status 0"], boot.lines.join("\n"));
    expectLine(boot.lines, /^\s*inet 127\.0\.0\.1\/8 scope host lo/);
    expectLine(boot.lines, /(^|\.)1: lo: <LOOPBACK,UP,LOWER_UP>/);
    expectLine(boot.lines, /^2: eth0: <BROADCAST,MULTICAST>/);
    // /proc/modules lists the newest first: virtio_net after its dependencies.
    const loaded = boot.lines.flatMap((l) => /^(\w+) \d+ \d+ /.exec(l)?.[1] ?? []).reverse();
    assert.ok(loaded.includes("virtio_net"), loaded.join(" "));
    assert.ok(loaded.indexOf("net_failover") < loaded.indexOf("virtio_net"), loaded.join(" "));
    assert.ok(loaded.indexOf("failover") < loaded.indexOf("net_failover"), loaded.join(" "));
    assert.not.ok(boot.lines.some((l) => l.includes(".mcc-boot")), "the boot stage is still in /");
    assert.not.ok(boot.lines.some((l) => /cannot load the kernel module/.test(l)), boot.lines.join("\n"));
  });
}

test.run();
