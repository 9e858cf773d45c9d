// The generated init as binutils' readelf sees it, and the plan it is made from.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { initElf } from "../../src/boot/init-elf.js";
import { MS, bootMounts, initPlanOf, type InitPlan } from "../../src/boot/init-plan.js";
import type { Spec } from "../../src/types/spec.js";

const plan: InitPlan = {
  arch: "amd64",
  executable: "/usr/bin/curl",
  args: ["--version"],
  env: { PATH: "/usr/bin", LANG: "C.UTF-8" },
  uid: 65532,
  gid: 65532,
  workdir: "/write",
  mounts: [
    { path: "/write", type: "volume" },
    { path: "/run", type: "tmpfs" },
    { path: "/read", type: "config" },
    { path: "/cache", type: "tmpfs" },
  ],
  onExit: "poweroff",
  modules: [],
  hostname: "test",
  network: { kind: "none" },
  resolvConf: false,
  stageFiles: [],
  stageDirs: [],
};

function readelf(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "mcc-init-"));
  try {
    writeFileSync(join(dir, "init"), bytes);
    const run = spawnSync("readelf", ["-h", "-l", "-W", join(dir, "init")], { encoding: "utf8" });
    assert.is(run.status, 0, `readelf (Debian's binutils) failed: ${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("readelf: a static x86-64 executable, two PT_LOADs (RW, then R E), the entry at the start of the code", () => {
  const elf = initElf(plan);
  const out = readelf(elf);
  assert.match(out, /Type:\s+EXEC \(Executable file\)/);
  assert.match(out, /Machine:\s+Advanced Micro Devices X86-64/);
  assert.not.match(out, /INTERP|DYNAMIC/);
  const loads = out.split("\n").filter((l) => /^\s+LOAD\s/.test(l));
  assert.is(loads.length, 2, out);
  const fields = loads.map((l) => l.trim().split(/\s+/));
  assert.equal(fields[0]?.slice(6, 8), ["RW", "0x1000"]);
  assert.equal(fields[1]?.slice(6, 8), ["R", "E"]);
  const entry = /Entry point address:\s+(0x[0-9a-f]+)/.exec(out)?.[1];
  assert.is(entry, fields[1]?.[2]?.replace(/^0x0+/, "0x"));
  // The code and its strings (the supervisor, its power-button watchers and timers, the carrier
  // wait and the debugging disk's search among them), and the 256-line status table (6 KiB)
  // that spares a decimal formatter.
  assert.ok(elf.length < 12 * 1024, `${elf.length} bytes`);
});

test("the bytes are a function of the plan: the same plan twice gives the same bytes, another argument others", () => {
  assert.equal(Buffer.from(initElf(plan)), Buffer.from(initElf({ ...plan })));
  assert.not.equal(Buffer.from(initElf(plan)), Buffer.from(initElf({ ...plan, args: ["--help"] })));
  const text = Buffer.from(initElf(plan)).toString("latin1");
  for (const s of ["/usr/bin/curl\0--version\0", "LANG=C.UTF-8\0PATH=/usr/bin\0", "mcc: exit status 0\n", "mcc: exit status 255\n"]) assert.ok(text.includes(s), s);
});

test("mounts: proc, sysfs, devtmpfs, /run, then the spec's volumes and tmpfs (sorted) owned by the user; config mounts stay directories", () => {
  const owned = "mode=0755,uid=65532,gid=65532";
  assert.equal(
    bootMounts(plan).map((m) => [m.fstype, m.target, m.data ?? ""]),
    [
      ["proc", "/proc", ""],
      ["sysfs", "/sys", ""],
      ["devtmpfs", "/dev", "mode=0755"],
      ["tmpfs", "/run", owned],
      ["tmpfs", "/cache", owned],
      ["tmpfs", "/write", owned],
    ],
  );
  assert.is(bootMounts({ ...plan, mounts: [] })[3]?.data, "mode=0755");
  assert.is(bootMounts(plan)[3]?.flags, MS.NOSUID | MS.NODEV);
  assert.throws(() => bootMounts({ ...plan, mounts: [{ path: "/dev/shm", type: "tmpfs" }] }), /collides with the boot's own \/dev/);
});

test("readelf: the arm64 init is a static AArch64 executable, two PT_LOADs 64 KiB apart, the same data as amd64's", () => {
  const elf = initElf({ ...plan, arch: "arm64" });
  const out = readelf(elf);
  assert.match(out, /Machine:\s+AArch64/);
  assert.not.match(out, /INTERP|DYNAMIC/);
  const loads = out.split("\n").filter((l) => /^\s+LOAD\s/.test(l)).map((l) => l.trim().split(/\s+/));
  assert.is(loads.length, 2, out);
  assert.equal([loads[0]?.[6], loads[1]?.slice(6, 8), loads[1]?.at(-1)], ["RW", ["R", "E"], "0x10000"]);
  const amd64 = initElf(plan);
  // The data (strings, pointer arrays, the status table) is the same on both; only the code differs.
  assert.equal(Buffer.from(elf.subarray(176, 176 + 1024)), Buffer.from(amd64.subarray(176, 176 + 1024)));
});

test("bad inputs are refused with a clear error", () => {
  assert.throws(() => initElf({ ...plan, arch: "riscv64" as "arm64" }), /amd64 and arm64, not riscv64/);
  assert.throws(() => initElf({ ...plan, args: ["a\0b"] }), /NUL/);
  assert.throws(() => initElf({ ...plan, env: { "A=B": "c" } }), /not an environment variable name/);
});

test("initPlanOf: the OCI config's program, user, directory and environment (PATH by default)", () => {
  const spec = {
    executable: "/usr/bin/jq",
    args: ["."],
    env: { TZ: "UTC" },
    user: { name: "nonroot", uid: 65532, gid: 65532 },
    workdir: "/write",
    mounts: [{ path: "/run", type: "tmpfs" }],
  } as unknown as Spec;
  const p = initPlanOf(spec, "amd64", "poweroff");
  assert.equal(p.env, { PATH: "/usr/local/bin:/usr/bin:/bin", TZ: "UTC" });
  assert.equal([p.executable, p.args, p.uid, p.gid, p.workdir, p.onExit], ["/usr/bin/jq", ["."], 65532, 65532, "/write", "poweroff"]);
  assert.is(initPlanOf({ ...spec, env: { PATH: "/bin" } } as Spec, "amd64", "restart").env["PATH"], "/bin");
});

test.run();
