import { MS } from "./init-plan.js";
import { AF_INET, AT_REMOVEDIR, LINE_STRIDE, O_CLOEXEC, REBOOT, SIOCSIFFLAGS, SOCK_DGRAM_CLOEXEC, type Layout, type Text } from "./init-layout.js";
import { R, addImm, andImm, assemble, cmp64, imulImm8, jump, label, loadByte, loadTopOfStack32, movImm, movImmSigned, movReg, movReg32, shrImm, syscall, test64, zero, type Item, type Reg } from "./x86-64.js";

/** x86-64 Linux system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
const SYS = { write: 1, chdir: 80, execve: 59, exit: 60, fork: 57, wait4: 61, setuid: 105, setgid: 106, setsid: 112, setgroups: 116, sync: 162, mount: 165, reboot: 169, openat: 257, finit_module: 313, close: 3, unlinkat: 263, socket: 41, ioctl: 16 } as const;

/** `write(fd, text)`, rax and the argument registers clobbered. */
function write(fd: number, text: Text): Item[] {
  return [movImm(R.rdi, fd), movImm(R.rsi, text.address), movImm(R.rdx, text.length), movImm(R.rax, SYS.write), syscall()];
}

/** A system call with up to five arguments (rdi, rsi, rdx, r10, r8); 0 is loaded by xor. */
function call(number: number, ...args: number[]): Item[] {
  const regs: Reg[] = [R.rdi, R.rsi, R.rdx, R.r10, R.r8];
  return [...args.map((value, i) => (value === 0 ? zero(regs[i] as Reg) : movImm(regs[i] as Reg, value))), movImm(R.rax, number), syscall()];
}

/** The init's x86-64 machine code. Register use: rbp holds the child's pid, rbx the exit status N. */
export function amd64Program(l: Layout): Uint8Array {
  const code: Item[] = [];
  // 1. The mounts. A failed one is said on the console (fd 2) and the boot goes on: the
  //    program may not need it, and the status line still comes.
  l.mounts.forEach((m, i) => {
    code.push(...call(SYS.mount, m.source, m.target, m.fstype, m.m.flags, m.data));
    code.push(test64(R.rax), jump("ns", `mounted${i}`), ...write(2, m.failed), label(`mounted${i}`));
  });
  // 2. Kernel modules, dependencies first: each file opened, given to finit_module, closed and
  //    removed (with the boot stage's directory at the end), so the program finds none of it.
  //    rbx holds the descriptor, rbp finit_module's result. A failure is said and the boot goes on.
  l.modules.forEach((m, i) => {
    code.push(
      ...call(SYS.openat, 0, m.path, O_CLOEXEC.amd64),
      test64(R.rax),
      jump("s", `module_failed${i}`),
      movReg(R.rbx, R.rax),
      movReg(R.rdi, R.rbx),
      movImm(R.rsi, l.empty),
      zero(R.rdx),
      movImm(R.rax, SYS.finit_module),
      syscall(),
      movReg(R.rbp, R.rax),
      movReg(R.rdi, R.rbx),
      movImm(R.rax, SYS.close),
      syscall(),
      test64(R.rbp),
      jump("ns", `module_loaded${i}`),
      label(`module_failed${i}`),
      ...write(2, m.failed),
      label(`module_loaded${i}`),
      ...call(SYS.unlinkat, 0, m.path, 0),
    );
  });
  if (l.bootDir !== 0) code.push(...call(SYS.unlinkat, 0, l.bootDir, AT_REMOVEDIR));
  // 3. The loopback interface up (the kernel gives it 127.0.0.1 and ::1): SIOCSIFFLAGS on a socket.
  code.push(
    ...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0),
    test64(R.rax),
    jump("s", "no_loopback"),
    movReg(R.rbx, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, SIOCSIFFLAGS),
    movImm(R.rdx, l.loopback.ifreq),
    movImm(R.rax, SYS.ioctl),
    syscall(),
    movReg(R.rbp, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rax, SYS.close),
    syscall(),
    test64(R.rbp),
    jump("ns", "loopback_up"),
    label("no_loopback"),
    ...write(2, l.loopback.failed),
    label("loopback_up"),
  );
  // 4. / read-only, best effort: the rootfs may refuse, and nothing depends on it.
  code.push(...call(SYS.mount, 0, l.root, 0, MS.REMOUNT | MS.RDONLY, 0));
  // 5. fork: 0 in the child, the child's pid in the parent, negative on failure.
  code.push(...call(SYS.fork), test64(R.rax), jump("s", "no_fork"), jump("e", "child"), movReg(R.rbp, R.rax));
  // 6. PID 1 reaps every process (orphans are re-parented to it) until the child is reaped;
  //    the status goes to the top of the stack (over argc, which the init does not read).
  code.push(
    label("reap"),
    movImmSigned(R.rdi, -1),
    movReg(R.rsi, R.rsp),
    zero(R.rdx),
    zero(R.r10),
    movImm(R.rax, SYS.wait4),
    syscall(),
    cmp64(R.rax, R.rbp),
    jump("ne", "reap"),
  );
  // 7. N: the exit code (bits 8-15) when the signal bits (0-6) are 0, else 128 + the signal.
  code.push(
    loadTopOfStack32(R.rbx),
    movReg32(R.rcx, R.rbx),
    andImm(R.rcx, 0x7f),
    jump("ne", "signaled"),
    shrImm(R.rbx, 8),
    andImm(R.rbx, 0xff),
    jump("always", "report"),
    label("signaled"),
    movReg32(R.rbx, R.rcx),
    addImm(R.rbx, 128),
  );
  // 8. One write of line N from the table (its length in the record's last byte), sync, and
  //    reboot(2). If reboot returns, exiting PID 1 panics the kernel, which panic=-1 reboots.
  code.push(
    label("report"),
    imulImm8(R.rsi, R.rbx, LINE_STRIDE),
    addImm(R.rsi, l.exitTable),
    loadByte(R.rdx, R.rsi, LINE_STRIDE - 1),
    movImm(R.rdi, 1),
    movImm(R.rax, SYS.write),
    syscall(),
    ...call(SYS.sync),
    ...call(SYS.reboot, REBOOT.magic1, REBOOT.magic2, l.rebootCommand, 0),
    movReg32(R.rdi, R.rbx),
    movImm(R.rax, SYS.exit),
    syscall(),
  );
  // fork failed: there is no program; report it as a shell does a command it cannot run.
  code.push(label("no_fork"), ...write(2, l.noFork), movImm(R.rbx, 127), jump("always", "report"));
  // 9. The child: a session of its own, no supplementary groups, the plan's gid then uid
  //    (the gid first, while still allowed to change it), the working directory, execve.
  code.push(
    label("child"),
    ...call(SYS.setsid),
    ...call(SYS.setgroups, 0, 0),
    test64(R.rax),
    jump("s", "no_user"),
    ...call(SYS.setgid, l.gid),
    test64(R.rax),
    jump("s", "no_user"),
    ...call(SYS.setuid, l.uid),
    test64(R.rax),
    jump("s", "no_user"),
    ...call(SYS.chdir, l.workdir),
    test64(R.rax),
    jump("s", "no_workdir"),
    ...call(SYS.execve, l.executable, l.argv, l.envp),
    // execve returns only on failure.
    ...write(2, l.noExec),
    jump("always", "exit127"),
    label("no_user"),
    ...write(2, l.noUser),
    jump("always", "exit127"),
    label("no_workdir"),
    ...write(2, l.noWorkdir),
    label("exit127"),
    ...call(SYS.exit, 127),
  );
  return assemble(code);
}

