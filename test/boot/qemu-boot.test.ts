// The real proof, on amd64: Debian's cloud kernel (fetched and verified through mcc's own source code)
// boots an initramfs mcc wrote, under qemu's software emulation, and the generated init runs a
// static test program as the plan's user, in its directory, with its environment, prints
// `mcc: exit status N`, and powers the machine off, so qemu exits by itself.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageEntry, ImageTree } from "../../src/assemble/image-tree.js";
import { initElf } from "../../src/boot/init-elf.js";
import { initPlanOf, type InitPlan } from "../../src/boot/init-plan.js";
import { buildInitramfs } from "../../src/boot/initramfs.js";
import { bootQemu, expectLine, MACHINES, mccLines, microcontainer, type Console } from "../support/boot.js";
import { debianKernel } from "../support/debian-kernel.js";

const work = mkdtempSync(join(tmpdir(), "mcc-boot-"));
const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

/** The program the init runs: says who and where it is, probes / and /write, exits as told. */
const PROBE_C = `
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char cwd[256];
  if (getcwd(cwd, sizeof cwd) == NULL) strcpy(cwd, "?");
  const char *greeting = getenv("GREETING");
  printf("hello from pid %d uid %d gid %d cwd %s GREETING=%s\\n", (int)getpid(), (int)getuid(), (int)getgid(), cwd, greeting ? greeting : "(unset)");
  printf("write to /: %s\\n", open("/probe", O_CREAT | O_WRONLY, 0644) < 0 ? strerror(errno) : "ok");
  printf("write to /write: %s\\n", open("/write/probe", O_CREAT | O_WRONLY, 0644) < 0 ? strerror(errno) : "ok");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "kill") == 0) kill(getpid(), SIGKILL);
  return argc > 1 ? atoi(argv[1]) : 0;
}
`;

let vmlinuz = "";
let probe: Uint8Array = new Uint8Array(0);

test.before(async () => {
  for (const [cmd, pkg] of [["gcc", "gcc"], [MACHINES.amd64.qemu, MACHINES.amd64.pkg]] as const) {
    assert.ok(have(cmd), `${cmd} is needed for the boot test (Debian package ${pkg}; the test command installs it as root)`);
  }
  writeFileSync(join(work, "probe.c"), PROBE_C);
  const cc = spawnSync("gcc", ["-static", "-O2", "-o", join(work, "probe"), join(work, "probe.c")], { encoding: "utf8" });
  assert.is(cc.status, 0, `gcc -static failed (libc6-dev is needed for static linking): ${cc.stderr}`);
  probe = readFileSync(join(work, "probe"));
  const kernel = await debianKernel("bookworm");
  vmlinuz = join(work, "vmlinuz");
  writeFileSync(vmlinuz, kernel.vmlinuz);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

const dir = (path: string, uid = 0): ImageEntry => ({ kind: "directory", path, mode: 0o755, uid, gid: uid === 0 ? 0 : 1001 });

/** The image tree a microcontainer of the probe would have: the program and the mount points. */
function probeTree(): ImageTree {
  return {
    entries: [
      { kind: "symlink", path: "/bin", target: "usr/bin", uid: 0, gid: 0, pkg: "(mcc)" },
      dir("/read", 1000),
      dir("/run", 1000),
      dir("/usr"),
      dir("/usr/bin"),
      { kind: "file", path: "/usr/bin/probe", mode: 0o755, uid: 0, gid: 0, size: probe.length, source: { bytes: probe }, pkg: "(test)" },
      dir("/write", 1000),
    ],
    reasons: new Map(),
  };
}

const basePlan: InitPlan = {
  arch: "amd64",
  executable: "/usr/bin/probe",
  args: [],
  env: { GREETING: "hi there", PATH: "/usr/bin" },
  uid: 1000,
  gid: 1001,
  workdir: "/write",
  mounts: [
    { path: "/run", type: "tmpfs" },
    { path: "/write", type: "volume" },
    { path: "/read", type: "config" },
  ],
  onExit: "poweroff",
  modules: [],
  hostname: "test",
  network: { kind: "none" },
  resolvConf: false,
  stageFiles: [],
  stageDirs: [],
};

/** Boots the initramfs of the probe tree (or of `image`) with the plan's init. */
async function boot(name: string, plan: InitPlan, image?: { tree: ImageTree; read: (sha256: string) => Promise<Uint8Array> }): Promise<Console> {
  const initrd = join(work, `${name}.initrd.gz`);
  const noBlobs = async (): Promise<Uint8Array> => {
    throw new Error("the probe tree has no cache blobs");
  };
  writeFileSync(initrd, await buildInitramfs(image?.tree ?? probeTree(), initElf(plan), image?.read ?? noBlobs, 0));
  return bootQemu("amd64", vmlinuz, initrd);
}

test("exit 0: the program runs as 1000:1001 in /write with its environment, / is read-only, /write a tmpfs; one status line; power-off", async () => {
  const { lines, status, seconds } = await boot("exit0", basePlan);
  const hello = expectLine(lines, /hello from pid (\d+) uid (\d+) gid (\d+) cwd (\S+) GREETING=(.*)$/);
  assert.ok(Number(hello[1]) > 1, "the program is not PID 1: the init forked it");
  assert.equal(hello.slice(2), ["1000", "1001", "/write", "hi there"]);
  expectLine(lines, /^write to \/: Read-only file system$/);
  expectLine(lines, /^write to \/write: ok$/);
  assert.equal(mccLines(lines), ["mcc: exit status 0"]);
  expectLine(lines, /mcc: no disk labelled write: \/write is in memory and goes at power-off$/);
  expectLine(lines, /reboot: Power down/);
  assert.is(status, 0);
  console.log(`  boot to power-off under qemu (tcg): ${seconds.toFixed(1)} s`);
});

test("exit 3 gives `mcc: exit status 3`", async () => {
  const { lines, status } = await boot("exit3", { ...basePlan, args: ["3"] });
  expectLine(lines, /hello from pid \d+ uid 1000 /);
  assert.equal(mccLines(lines), ["mcc: exit status 3"]);
  assert.is(status, 0);
});

test("killed by SIGKILL gives 128 + 9", async () => {
  const { lines } = await boot("kill", { ...basePlan, args: ["kill"] });
  assert.equal(mccLines(lines), ["mcc: exit status 137"]);
});

test("a program that cannot be executed: the init says so and reports 127", async () => {
  const { lines } = await boot("missing", { ...basePlan, executable: "/usr/bin/missing" });
  assert.equal(mccLines(lines), ["mcc: cannot execute /usr/bin/missing", "mcc: exit status 127"]);
});

test("onExit reboot restarts the machine instead (qemu -no-reboot then exits)", async () => {
  const { lines } = await boot("reboot", { ...basePlan, onExit: "reboot" });
  assert.equal(mccLines(lines), ["mcc: exit status 0"]);
  expectLine(lines, /reboot: Restarting system/);
});

test("the curl example's microcontainer, as mcc builds it (libraries, CA bundle, nonroot), boots and runs curl --version", async () => {
  const curl = await microcontainer(join(work, "curl.yml"), "name: curl\nfrom:\n  release: bookworm\n  archs: [amd64]\npackages: [curl, ca-certificates]\nexecutable: /usr/bin/curl\nargs: [\"--version\"]\n", "amd64");
  const { lines, status } = await boot("curl", initPlanOf(curl.spec, "amd64", "poweroff"), curl);
  expectLine(lines, /curl \d+\.\d+\.\d+ \(x86_64-pc-linux-gnu\) libcurl/);
  expectLine(lines, /^Protocols: .*https/);
  assert.equal(mccLines(lines), ["mcc: exit status 0"]);
  assert.is(status, 0);
});

test.run();
