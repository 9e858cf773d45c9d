import { addImm, addImm32, addShifted, cmpImm, subReg, assemble, branch, cmpReg, label, loadByte, loadTopOfStack32, movFromSp, movImm, movMinusOne, movReg, svc, ubfx, type Item, type XReg } from "./aarch64.js";
import { AF_INET, AT_REMOVEDIR, BUFFER_SIZE, LINE_STRIDE, O_CLOEXEC, REBOOT, SOCK_DGRAM_CLOEXEC, type Dhcp, type Layout, type Text } from "./init-layout.js";
import { MS } from "./init-plan.js";

/**
 * arm64 Linux system call numbers (include/uapi/asm-generic/unistd.h). There is no fork:
 * clone(SIGCHLD, 0, ...) is fork.
 */
const SYS = { write: 64, chdir: 49, execve: 221, exit: 93, clone: 220, wait4: 260, setuid: 146, setgid: 144, setsid: 157, setgroups: 159, sync: 81, mount: 40, reboot: 142, openat: 56, finit_module: 273, close: 57, unlinkat: 35, socket: 198, ioctl: 29, read: 63, sethostname: 161 } as const;
const O_WRONLY_CREAT_TRUNC = 0o1 | 0o100 | 0o1000;
/** Registers the boot steps before the fork use (x19-x28 survive system calls). */
const X = { fd: 22, end: 23, out: 24, scan: 25, length: 26, byte: 9 } as const;
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

/** open(path, O_WRONLY|O_CREAT|O_TRUNC), one write of `text`, close; a failure said on the console. */
function writeFile(path: number, text: Text, failed: Text, name: string): Item[] {
  return [
    ...call(SYS.openat, 0, path, O_WRONLY_CREAT_TRUNC | O_CLOEXEC.arm64, 0o644),
    ifFailed(`${name}_failed`),
    movReg(X.fd, 0),
    ...movImm(1, text.address),
    ...movImm(2, text.length),
    ...movImm(8, SYS.write),
    svc(),
    movReg(X.length, 0),
    movReg(0, X.fd),
    ...movImm(8, SYS.close),
    svc(),
    branch({ op: "tbz", reg: X.length, bit: 63 }, `${name}_done`),
    label(`${name}_failed`),
    ...write(2, failed),
    label(`${name}_done`),
  ];
}

/** The DHCP client, then /etc/resolv.conf from its lease file (as on x86-64, src/boot/init-amd64.ts). */
function dhcp(d: Dhcp, buffer: number): Item[] {
  const code: Item[] = [
    ...call(SYS.clone, SIGCHLD, 0, 0, 0, 0),
    ifFailed("dhcp_failed"),
    branch({ op: "cbz", reg: 0, wide: true }, "dhcp_child"),
    movFromSp(1),
    ...movImm(2, 0),
    ...movImm(3, 0),
    ...movImm(8, SYS.wait4),
    svc(),
    loadTopOfStack32(X.length),
    branch({ op: "cbz", reg: X.length, wide: false }, "dhcp_leased"),
    label("dhcp_failed"),
    ...write(2, d.failed),
    branch({ op: "b" }, "dhcp_leased"),
    label("dhcp_child"),
    ...call(SYS.execve, d.client, d.argv, d.envp),
    ...write(2, d.noExec),
    ...call(SYS.exit, 127),
    label("dhcp_leased"),
  ];
  if (d.resolv === undefined) return code;
  code.push(
    ...call(SYS.openat, 0, d.lease, O_CLOEXEC.arm64),
    ifFailed("resolv_done"),
    movReg(X.fd, 0),
    ...movImm(1, buffer),
    ...movImm(2, BUFFER_SIZE),
    ...movImm(8, SYS.read),
    svc(),
    movReg(X.end, 0),
    movReg(0, X.fd),
    ...movImm(8, SYS.close),
    svc(),
    branch({ op: "tbnz", reg: X.end, bit: 63 }, "resolv_done"),
    branch({ op: "cbz", reg: X.end, wide: true }, "resolv_done"),
    ...movImm(X.byte, buffer),
    addShifted(X.end, X.end, X.byte, 0),
    ...call(SYS.openat, 0, d.resolv, O_WRONLY_CREAT_TRUNC | O_CLOEXEC.arm64, 0o644),
    ifFailed("resolv_done"),
    movReg(X.out, 0),
  );
  d.keys.forEach((key, k) => {
    code.push(...movImm(X.fd, buffer), label(`key${k}`), addImm(X.scan, X.fd, key.length), cmpReg(X.scan, X.end), branch({ op: "b.cond", cond: "hi" }, `key${k}_done`));
    key.forEach((byte, j) => code.push(loadByte(X.byte, X.fd, j), cmpImm(X.byte, byte), branch({ op: "b.cond", cond: "ne" }, `key${k}_next`)));
    code.push(
      label(`key${k}_scan`),
      cmpReg(X.scan, X.end),
      branch({ op: "b.cond", cond: "hs" }, `key${k}_done`),
      loadByte(X.byte, X.scan, 0),
      cmpImm(X.byte, 0x27),
      branch({ op: "b.cond", cond: "eq" }, `key${k}_found`),
      addImm(X.scan, X.scan, 1),
      branch({ op: "b" }, `key${k}_scan`),
      label(`key${k}_next`),
      addImm(X.fd, X.fd, 1),
      branch({ op: "b" }, `key${k}`),
      label(`key${k}_found`),
      addImm(X.fd, X.fd, key.length),
      subReg(X.length, X.scan, X.fd),
      branch({ op: "cbz", reg: X.length, wide: true }, `key${k}_done`),
      cmpImm(X.length, 7),
      branch({ op: "b.cond", cond: "ne" }, `key${k}_emit`),
    );
    [..."0.0.0.0"].forEach((c, j) => code.push(loadByte(X.byte, X.fd, j), cmpImm(X.byte, c.charCodeAt(0)), branch({ op: "b.cond", cond: "ne" }, `key${k}_emit`)));
    code.push(
      branch({ op: "b" }, `key${k}_done`),
      label(`key${k}_emit`),
      movReg(0, X.out),
      ...movImm(1, d.nameserver.address),
      ...movImm(2, d.nameserver.length),
      ...movImm(8, SYS.write),
      svc(),
      movReg(0, X.out),
      movReg(1, X.fd),
      movReg(2, X.length),
      ...movImm(8, SYS.write),
      svc(),
      movReg(0, X.out),
      ...movImm(1, d.newline.address),
      ...movImm(2, d.newline.length),
      ...movImm(8, SYS.write),
      svc(),
      label(`key${k}_done`),
    );
  });
  code.push(movReg(0, X.out), ...movImm(8, SYS.close), svc(), label("resolv_done"));
  return code;
}

/**
 * The init's AArch64 machine code, the same steps as the x86-64 one (src/boot/init-amd64.ts).
 * Register use: x19 holds the child's pid, x20 the wait status, x21 the exit status N
 * (x19-x28 are never touched by the kernel across a system call).
 */
export function arm64Program(l: Layout, buffer: number): Uint8Array {
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
  // 3. The host name, then the network (as on x86-64); x22 holds the socket.
  code.push(...call(SYS.sethostname, l.hostname.address, l.hostname.length));
  code.push(...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0), movReg(fd, 0));
  l.ioctls.forEach((io, i) => {
    code.push(
      branch({ op: "tbnz", reg: fd, bit: 63 }, `ioctl_failed${i}`),
      movReg(0, fd),
      ...movImm(1, io.request),
      ...movImm(2, io.arg),
      ...movImm(8, SYS.ioctl),
      svc(),
      branch({ op: "tbz", reg: 0, bit: 63 }, `ioctl_done${i}`),
      label(`ioctl_failed${i}`),
      ...write(2, io.failed),
      label(`ioctl_done${i}`),
    );
  });
  code.push(movReg(0, fd), ...movImm(8, SYS.close), svc());
  if (l.portStart !== undefined) code.push(...writeFile(l.portStart.path, l.portStart.value, l.portStart.failed, "port_start"));
  if (l.dhcp !== undefined) code.push(...dhcp(l.dhcp, buffer));
  for (const f of l.stageFiles) code.push(...call(SYS.unlinkat, 0, f, 0));
  for (const d of l.stageDirs) code.push(...call(SYS.unlinkat, 0, d, AT_REMOVEDIR));
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
