// The same proof on arm64: Debian's generic arm64 kernel (fetched and verified through mcc's
// own source code) boots, under qemu-system-aarch64's software emulation, an initramfs of the
// arm64 busybox-static microcontainer mcc builds, with the AArch64 init mcc generates.
// busybox's shell reports the user, directory and environment it was given; no cross
// compiler is needed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initElf } from "../../src/boot/init-elf.js";
import { initPlanOf } from "../../src/boot/init-plan.js";
import { buildInitramfs } from "../../src/boot/initramfs.js";
import { bootQemu, expectLine, MACHINES, mccLines, microcontainer } from "../support/boot.js";
import { debianKernel } from "../support/debian-kernel.js";

const work = mkdtempSync(join(tmpdir(), "mcc-boot-arm64-"));
let vmlinuz = "";

test.before(async () => {
  const { qemu, pkg } = MACHINES.arm64;
  assert.ok(spawnSync("sh", ["-c", `command -v ${qemu}`]).status === 0, `${qemu} is needed for the arm64 boot test (Debian package ${pkg}; the test command installs it as root)`);
  vmlinuz = join(work, "vmlinuz");
  writeFileSync(vmlinuz, (await debianKernel("bookworm", "arm64")).vmlinuz);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

const SPEC = `name: shell
from:
  release: bookworm
  archs: [arm64]
packages: [busybox-static]
executable: /bin/busybox
user: { name: app, uid: 1000, gid: 1001 }
env: { GREETING: hi there }
args: ["sh", "-c", "echo hello from pid $$ uid $(busybox id -u) gid $(busybox id -g) cwd $(pwd) GREETING=$GREETING on $(busybox uname -m); busybox touch /probe; busybox touch /write/probe && echo wrote /write; exit \${1:-0}", "sh"]
`;

test("busybox on arm64: its user, directory and environment, / read-only, /write a tmpfs; exit 3 gives `mcc: exit status 3`; power-off", async () => {
  const image = await microcontainer(join(work, "shell.yml"), SPEC, "arm64");
  const boot = async (name: string, extra: string[]) => {
    const plan = initPlanOf(image.spec, "arm64", "poweroff");
    const initrd = join(work, `${name}.initrd.gz`);
    writeFileSync(initrd, await buildInitramfs(image.tree, initElf({ ...plan, args: [...plan.args, ...extra] }), image.read, 0));
    return bootQemu("arm64", vmlinuz, initrd);
  };
  const three = await boot("exit3", ["3"]);
  const hello = expectLine(three.lines, /hello from pid (\d+) uid (\d+) gid (\d+) cwd (\S+) GREETING=(.*) on (\S+)$/);
  assert.ok(Number(hello[1]) > 1, "the program is not PID 1");
  assert.equal(hello.slice(2), ["1000", "1001", "/write", "hi there", "aarch64"]);
  expectLine(three.lines, /touch: \/probe: Read-only file system/);
  expectLine(three.lines, /^wrote \/write$/);
  assert.equal(mccLines(three.lines), ["mcc: exit status 3"]);
  expectLine(three.lines, /reboot: Power down/);
  assert.is(three.status, 0);
  console.log(`  arm64 boot to power-off under qemu (tcg): ${three.seconds.toFixed(1)} s`);
  const zero = await boot("exit0", []);
  assert.equal(mccLines(zero.lines), ["mcc: exit status 0"]);
});

test.run();
