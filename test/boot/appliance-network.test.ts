// An appliance's kernel modules and loopback, booted for real: mcc takes virtio's modules from
// the locked kernel package, in the order their .modinfo gives, and the init loads them and
// brings up lo before the program starts. The program (busybox) then sees qemu's virtio network
// card as eth0 and lo up with 127.0.0.1, and nothing of the boot stage is left in /.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootQemu, expectLine, MACHINES, mccLines } from "../support/boot.js";
import { runMcc } from "../support/io.js";

const work = mkdtempSync(join(tmpdir(), "mcc-appliance-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const spec = (arch: string) => `name: netcheck
from: { release: bookworm, archs: [${arch}] }
packages: [busybox-static]
executable: /bin/busybox
user: 0
args: [sh, -c, "ip addr; ls -a /; cat /proc/modules"]
`;

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
    expectLine(boot.lines, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
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
