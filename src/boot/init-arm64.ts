import { addImm32, addShifted, assemble, branch, cmpReg, label, loadByte, loadTopOfStack32, movFromSp, movImm, movMinusOne, movReg, svc, ubfx, type Item, type XReg } from "./aarch64.js";
import { AF_INET, AT_REMOVEDIR, LINE_STRIDE, O_CLOEXEC, REBOOT, SIOCSIFFLAGS, SOCK_DGRAM_CLOEXEC, type Layout, type Text } from "./init-layout.js";
import { MS } from "./init-plan.js";

/**
 * arm64 Linux system call numbers (include/uapi/asm-generic/unistd.h). There is no fork:
 * clone(SIGCHLD, 0, ...) is fork.
 */
const SYS = { write: 64, chdir: 49, execve: 221, exit: 93, clone: 220, wait4: 260, setuid: 146, setgid: 144, setsid: 157, setgroups: 159, sync: 81, mount: 40, reboot: 142, openat: 56, finit_module: 273, close: 57, unlinkat: 35, socket: 198, ioctl: 29 } as const;
const SIGCHLD = 17;

/** A system call with up to five arguments in x0-x4; the number in x8. */
function call(number: number, ...args: number[]): Item[] {
  return [...args.flatMap((value, i) => movImm(i, value)), ...movImm(8, number), svc()];
}

function write(fd: number, text: Text): Item[] {
  return call(SYS.write, fd, text.address, text.length);
}

/** A branch taken when x0, a system call's result, is negative (its bit 63 set). */
const ifFailed = (to: string): Item => branch({ op: "tbnz", reg: 0, bit: 63 }, to);

/**
 * The init's AArch64 machine code, the same steps as the x86-64 one (src/boot/init-amd64.ts).
 * Register use: x19 holds the child's pid, x20 the wait status, x21 the exit status N
 * (x19-x28 are never touched by the kernel across a system call).
 */
export function arm64Program(l: Layout): Uint8Array {
  const child: XReg = 19;
  const status: XReg = 20;
  const n: XReg = 21;
  const code: Item[] = [];
  // 1. The mounts; a failure is said on the console and the boot goes on.
  l.mounts.forEach((m, i) => {
    code.push(...call(SYS.mount, m.source, m.target, m.fstype, m.m.flags, m.data));
    code.push(branch({ op: "tbz", reg: 0, bit: 63 }, `mounted${i}`), ...write(2, m.failed), label(`mounted${i}`));
  });
  // 2. Kernel modules, dependencies first (as on x86-64); x22 holds the descriptor, x23
  //    finit_module's result.
  const fd: XReg = 22;
  const result: XReg = 23;
  l.modules.forEach((m, i) => {
    code.push(
      ...call(SYS.openat, 0, m.path, O_CLOEXEC.arm64),
      ifFailed(`module_failed${i}`),
      movReg(fd, 0),
      ...movImm(1, l.empty),
      ...movImm(2, 0),
      ...movImm(8, SYS.finit_module),
      svc(),
      movReg(result, 0),
      movReg(0, fd),
      ...movImm(8, SYS.close),
      svc(),
      branch({ op: "tbz", reg: result, bit: 63 }, `module_loaded${i}`),
      label(`module_failed${i}`),
      ...write(2, m.failed),
      label(`module_loaded${i}`),
      ...call(SYS.unlinkat, 0, m.path, 0),
    );
  });
  if (l.bootDir !== 0) code.push(...call(SYS.unlinkat, 0, l.bootDir, AT_REMOVEDIR));
  // 3. The loopback interface up.
  code.push(
    ...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0),
    ifFailed("no_loopback"),
    movReg(fd, 0),
    ...movImm(1, SIOCSIFFLAGS),
    ...movImm(2, l.loopback.ifreq),
    ...movImm(8, SYS.ioctl),
    svc(),
    movReg(result, 0),
    movReg(0, fd),
    ...movImm(8, SYS.close),
    svc(),
    branch({ op: "tbz", reg: result, bit: 63 }, "loopback_up"),
    label("no_loopback"),
    ...write(2, l.loopback.failed),
    label("loopback_up"),
  );
  // 4. / read-only, best effort.
  code.push(...call(SYS.mount, 0, l.root, 0, MS.REMOUNT | MS.RDONLY, 0));
  // 5. fork, as clone(SIGCHLD): 0 in the child, its pid in the parent, negative on failure.
  code.push(...call(SYS.clone, SIGCHLD, 0, 0, 0, 0), ifFailed("no_fork"), branch({ op: "cbz", reg: 0, wide: true }, "child"), movReg(child, 0));
  // 6. PID 1 reaps every process until the child is reaped; the status goes to [sp].
  code.push(
    label("reap"),
    movMinusOne(0),
    movFromSp(1),
    ...movImm(2, 0),
    ...movImm(3, 0),
    ...movImm(8, SYS.wait4),
    svc(),
    cmpReg(0, child),
    branch({ op: "b.cond", cond: "ne" }, "reap"),
  );
  // 7. N: the exit code (bits 8-15) when the signal bits (0-6) are 0, else 128 + the signal.
  code.push(
    loadTopOfStack32(status),
    ubfx(n, status, 0, 7),
    branch({ op: "cbnz", reg: n, wide: false }, "signaled"),
    ubfx(n, status, 8, 8),
    branch({ op: "b" }, "report"),
    label("signaled"),
    addImm32(n, n, 128),
  );
  // 8. Line N of the table (table + 24 N = table + 8 (N + 2 N)), its length in the record's
  //    last byte; one write, sync, reboot(2); if reboot returns, exit (a panic, then a reboot).
  code.push(
    label("report"),
    addShifted(1, n, n, 1),
    ...movImm(9, l.exitTable),
    addShifted(1, 9, 1, 3),
    loadByte(2, 1, LINE_STRIDE - 1),
    ...movImm(0, 1),
    ...movImm(8, SYS.write),
    svc(),
    ...call(SYS.sync),
    ...call(SYS.reboot, REBOOT.magic1, REBOOT.magic2, l.rebootCommand, 0),
    movReg(0, n),
    ...movImm(8, SYS.exit),
    svc(),
  );
  code.push(label("no_fork"), ...write(2, l.noFork), ...movImm(n, 127), branch({ op: "b" }, "report"));
  // 9. The child: session, groups, gid, uid, working directory, execve.
  code.push(
    label("child"),
    ...call(SYS.setsid),
    ...call(SYS.setgroups, 0, 0),
    ifFailed("no_user"),
    ...call(SYS.setgid, l.gid),
    ifFailed("no_user"),
    ...call(SYS.setuid, l.uid),
    ifFailed("no_user"),
    ...call(SYS.chdir, l.workdir),
    ifFailed("no_workdir"),
    ...call(SYS.execve, l.executable, l.argv, l.envp),
    ...write(2, l.noExec),
    branch({ op: "b" }, "exit127"),
    label("no_user"),
    ...write(2, l.noUser),
    branch({ op: "b" }, "exit127"),
    label("no_workdir"),
    ...write(2, l.noWorkdir),
    label("exit127"),
    ...call(SYS.exit, 127),
  );
  return assemble(code);
}
