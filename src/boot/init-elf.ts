import { bssAddress, DATA_START, staticElf } from "./elf64.js";
import { amd64Program } from "./init-amd64.js";
import { arm64Program } from "./init-arm64.js";
import { BSS, createData, layOut } from "./init-layout.js";
import type { InitPlan } from "./init-plan.js";

export { exitStatusLine } from "./init-layout.js";

/**
 * The init, as a static ELF executable generated here (x86-64 or AArch64 machine code): no libc, no shell, only system calls,
 * so the image gains no package and the bytes are a function of the plan alone. What it does:
 * the mounts of `bootMounts` (a failure is reported on the console and the boot goes on), a
 * best-effort remount of / read-only, then fork. The child starts a session, drops to the
 * plan's user (setgroups to none, setgid, setuid), enters the working directory and executes
 * the program; if any of that fails it prints why and exits 127. The parent, PID 1, reaps
 * every process until the child itself is reaped, prints `mcc: exit status N` (the exit code,
 * or 128 + the signal that killed it), syncs, and powers off (or restarts). Pure.
 */
export function initElf(plan: InitPlan): Uint8Array {
  const data = createData(DATA_START);
  const layout = layOut(plan, data);
  // Zeroed memory after the data: a read buffer, the watchers' pids, the restart pause.
  const bytes = data.bytes();
  const bss = bssAddress(bytes.length);
  switch (plan.arch) {
    case "amd64":
      return staticElf("amd64", bytes, amd64Program(layout, bss), BSS.size);
    case "arm64":
      return staticElf("arm64", bytes, arm64Program(layout, bss), BSS.size);
    default:
      throw new Error(`the generated init exists for amd64 and arm64, not ${String(plan.arch)}`);
  }
}

