// `boot.modules`: kernel modules the spec names, besides mcc's own, taken from the locked kernel
// package with what each depends on (read from the modules' own .modinfo) and loaded by the init
// before the program, booted for real; a built-in one needs nothing. A name the kernel package
// has neither built in nor as a file is a diagnostic at its line, with the closest name the
// package has, and nothing is written.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootQemu, mccLines, MACHINES } from "../support/boot.js";
import { assertSourceGolden } from "../support/golden.js";
import { runMcc } from "../support/io.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-boot-modules-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

function spec(modules: readonly string[]): string {
  const file = join(work, "spec.yml");
  writeFileSync(file, ["name: mods", "from: { release: bookworm, archs: [amd64] }", "packages: [busybox-static]", "executable: /bin/busybox", "args: [sh, -c, 'cut -d\" \" -f1 /proc/modules']", "boot:", "  modules:", ...modules.map((m) => `    - ${m}`), ""].join("\n"));
  return file;
}

test("the spec's modules and what they depend on are loaded before the program; a built-in one needs nothing", async () => {
  needTools(MACHINES.amd64.qemu);
  const out = join(work, "out");
  // wireguard depends on udp_tunnel, ip6_udp_tunnel and its ciphers; vfat on fat; ext4 is built in.
  const built = await runMcc(["compile", spec(["wireguard", "vfat", "ext4"]), "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 0, built.stderr);
  const run = bootQemu("amd64", join(out, "vmlinuz"), join(out, "initrd.img"));
  assert.is(run.status, 0, run.lines.join("\n"));
  const loaded = new Set(run.lines.map((l) => l.trim()).filter((l) => /^[a-z0-9_]+$/.test(l)));
  for (const name of ["wireguard", "udp_tunnel", "ip6_udp_tunnel", "vfat", "fat", "virtio_net"]) assert.ok(loaded.has(name), `${name} is not in /proc/modules:\n${run.lines.join("\n")}`);
  assert.not.ok(loaded.has("ext4"), "ext4 is built into the kernel: nothing to load");
  assert.equal(mccLines(run.lines), ["mcc: exit status 0"]);
});

test("a module the kernel package lacks: MCC511 at its line, the closest name it has, nothing written", async () => {
  const out = join(work, "refused");
  const built = await runMcc(["compile", spec(["wireguard", "wiregaurd", "e1000"]), "--format", "kernel+initrd", "-o", out, "-q"]);
  assert.is(built.code, 1, built.stderr);
  assert.not.ok(existsSync(out), "nothing is written for a spec that cannot boot as written");
  // The kernel's ABI number moves with Debian's updates; the golden file keeps its place.
  assertSourceGolden("mcc511-boot-modules", built.stderr.split(`${work}/`).join("").replace(/linux-image-(\d+\.\d+\.\d+)-\d+-/g, "linux-image-$1-NN-"));
});

test.run();
