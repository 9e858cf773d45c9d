import { MS } from "./init-plan.js";
import { DEVICE_RECORD, SUPERBLOCK, type DiskSearch, AF_INET, AT_REMOVEDIR, BSS, BUFFER_SIZE, INPUT_EVENT, LINE_STRIDE, MAX_PAUSE_SECONDS, SIG, O_CLOEXEC, REBOOT, SOCK_DGRAM_CLOEXEC, IFF_RUNNING, SIOCGIFFLAGS, SIOCSIFFLAGS, TIOCSCTTY, type Dhcp, type Layout, type Text } from "./init-layout.js";
import { R, addReg, load32, store32, addImm, andImm, assemble, cmp64, cmpImm8, subReg, imulImm8, jump, label, loadByte, loadTopOfStack32, movImm, movImmSigned, movReg, movReg32, shrImm, syscall, test64, zero, type Item, type Reg } from "./x86-64.js";

/** x86-64 Linux system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
const SYS = { write: 1, chdir: 80, execve: 59, exit: 60, fork: 57, wait4: 61, setuid: 105, setgid: 106, setsid: 112, setgroups: 116, sync: 162, mount: 165, reboot: 169, openat: 257, finit_module: 313, close: 3, unlinkat: 263, socket: 41, ioctl: 16, read: 0, sethostname: 170, kill: 62, nanosleep: 35, pread64: 17, fchownat: 260, umount2: 166, mkdirat: 258 } as const;
/** The first mounts of bootMounts are the system's (proc, sys, dev, run); the spec's follow. */
const SYSTEM_MOUNTS = 4;
const O_WRONLY_CREAT_TRUNC = 0o1 | 0o100 | 0o1000;

/** `write(fd, text)`, rax and the argument registers clobbered. */
function write(fd: number, text: Text): Item[] {
  return [movImm(R.rdi, fd), movImm(R.rsi, text.address), movImm(R.rdx, text.length), movImm(R.rax, SYS.write), syscall()];
}

/** A system call with up to five arguments (rdi, rsi, rdx, r10, r8); 0 is loaded by xor. */
function call(number: number, ...args: number[]): Item[] {
  const regs: Reg[] = [R.rdi, R.rsi, R.rdx, R.r10, R.r8];
  return [...args.map((value, i) => (value === 0 ? zero(regs[i] as Reg) : movImm(regs[i] as Reg, value))), movImm(R.rax, number), syscall()];
}

/** open(path, O_WRONLY|O_CREAT|O_TRUNC), one write of `text`, close; a failure said on the console. rbx is clobbered. */
function writeFile(path: number, text: Text, failed: Text, name: string): Item[] {
  return [
    ...call(SYS.openat, 0, path, O_WRONLY_CREAT_TRUNC | O_CLOEXEC.amd64, 0o644),
    test64(R.rax),
    jump("s", `${name}_failed`),
    movReg(R.rbx, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, text.address),
    movImm(R.rdx, text.length),
    movImm(R.rax, SYS.write),
    syscall(),
    movReg(R.rbp, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rax, SYS.close),
    syscall(),
    test64(R.rbp),
    jump("ns", `${name}_done`),
    label(`${name}_failed`),
    ...write(2, failed),
    label(`${name}_done`),
  ];
}

/**
 * The DHCP client, run to its end (fork, execve, wait4), then /etc/resolv.conf from its lease
 * file: for each key (`IPV4DNS0='`), the value up to the next `'` becomes a `nameserver` line
 * unless it is empty or 0.0.0.0. Registers: rbx the position p, rbp the end of what was read,
 * r12 resolv.conf's descriptor, r13 the scan q, r14 a value's length.
 */
function dhcp(d: Dhcp, buffer: number): Item[] {
  const code: Item[] = [
    // The card up, then its carrier awaited (rbx the socket, r12 the tries left).
    ...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0),
    movReg(R.rbx, R.rax),
    test64(R.rbx),
    jump("s", "carrier_done"),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, SIOCSIFFLAGS),
    movImm(R.rdx, d.link.up),
    movImm(R.rax, SYS.ioctl),
    syscall(),
    movImm(R.r12, d.link.tries),
    label("carrier_wait"),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, SIOCGIFFLAGS),
    movImm(R.rdx, d.link.query),
    movImm(R.rax, SYS.ioctl),
    syscall(),
    load32(R.rax, d.link.query + 16),
    andImm(R.rax, IFF_RUNNING),
    jump("ne", "carrier_up"),
    ...call(SYS.nanosleep, d.link.tick, 0),
    addImm(R.r12, -1),
    jump("ne", "carrier_wait"),
    ...write(2, d.link.noCarrier),
    label("carrier_up"),
    movReg(R.rdi, R.rbx),
    movImm(R.rax, SYS.close),
    syscall(),
    label("carrier_done"),
    ...call(SYS.fork),
    test64(R.rax),
    jump("s", "dhcp_failed"),
    jump("e", "dhcp_child"),
    movReg(R.rdi, R.rax),
    movReg(R.rsi, R.rsp),
    zero(R.rdx),
    zero(R.r10),
    movImm(R.rax, SYS.wait4),
    syscall(),
    loadTopOfStack32(R.rax),
    test64(R.rax),
    jump("e", "dhcp_leased"),
    label("dhcp_failed"),
    ...write(2, d.failed),
    jump("always", "dhcp_leased"),
    label("dhcp_child"),
    ...call(SYS.execve, d.client, d.argv, d.envp),
    ...write(2, d.noExec),
    ...call(SYS.exit, 127),
    label("dhcp_leased"),
  ];
  if (d.resolv === undefined) return code;
  code.push(
    ...call(SYS.openat, 0, d.lease, O_CLOEXEC.amd64),
    test64(R.rax),
    jump("s", "resolv_done"),
    movReg(R.rbx, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, buffer),
    movImm(R.rdx, BUFFER_SIZE),
    movImm(R.rax, SYS.read),
    syscall(),
    movReg(R.rbp, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rax, SYS.close),
    syscall(),
    test64(R.rbp),
    jump("s", "resolv_done"),
    jump("e", "resolv_done"),
    addImm(R.rbp, buffer),
    ...call(SYS.openat, 0, d.resolv, O_WRONLY_CREAT_TRUNC | O_CLOEXEC.amd64, 0o644),
    test64(R.rax),
    jump("s", "resolv_done"),
    movReg(R.r12, R.rax),
  );
  d.keys.forEach((key, k) => {
    code.push(movImm(R.rbx, buffer), label(`key${k}`), movReg(R.r13, R.rbx), addImm(R.r13, key.length), cmp64(R.r13, R.rbp), jump("a", `key${k}_done`));
    key.forEach((byte, j) => code.push(loadByte(R.rax, R.rbx, j), cmpImm8(R.rax, byte), jump("ne", `key${k}_next`)));
    code.push(
      label(`key${k}_scan`),
      cmp64(R.r13, R.rbp),
      jump("ae", `key${k}_done`),
      loadByte(R.rax, R.r13, 0),
      cmpImm8(R.rax, 0x27),
      jump("e", `key${k}_found`),
      addImm(R.r13, 1),
      jump("always", `key${k}_scan`),
      label(`key${k}_next`),
      addImm(R.rbx, 1),
      jump("always", `key${k}`),
      label(`key${k}_found`),
      addImm(R.rbx, key.length),
      movReg(R.r14, R.r13),
      subReg(R.r14, R.rbx),
      test64(R.r14),
      jump("e", `key${k}_done`),
      cmpImm8(R.r14, 7),
      jump("ne", `key${k}_emit`),
    );
    [..."0.0.0.0"].forEach((c, j) => code.push(loadByte(R.rax, R.rbx, j), cmpImm8(R.rax, c.charCodeAt(0)), jump("ne", `key${k}_emit`)));
    code.push(
      jump("always", `key${k}_done`),
      label(`key${k}_emit`),
      movReg(R.rdi, R.r12),
      movImm(R.rsi, d.nameserver.address),
      movImm(R.rdx, d.nameserver.length),
      movImm(R.rax, SYS.write),
      syscall(),
      movReg(R.rdi, R.r12),
      movReg(R.rsi, R.rbx),
      movReg(R.rdx, R.r14),
      movImm(R.rax, SYS.write),
      syscall(),
      movReg(R.rdi, R.r12),
      movImm(R.rsi, d.newline.address),
      movImm(R.rdx, d.newline.length),
      movImm(R.rax, SYS.write),
      syscall(),
      label(`key${k}_done`),
    );
  });
  code.push(movReg(R.rdi, R.r12), movImm(R.rax, SYS.close), syscall(), label("resolv_done"));
  return code;
}

/**
 * A disk by its label: each device of the table opened and its superblock read (pread64 at
 * 1024); the first ext4 with the label is mounted at `target` (a volume's is given to the run
 * user). On a match the code jumps to `mounted${i}`; with none, the console says so (for a
 * volume, whose tmpfs follows). Registers: r15 the device record, rbx the descriptor, rbp what
 * was read.
 */
function diskSearch(target: number, flags: number, disk: DiskSearch, i: number | string, l: Layout, bss: number): Item[] {
  const buffer = bss + BSS.buffer;
  const next = `disk${i}_next`;
  const code: Item[] = [
    movImm(R.r15, l.devices.start),
    label(`disk${i}`),
    movImm(R.rcx, l.devices.end),
    cmp64(R.r15, R.rcx),
    jump("ae", `disk${i}_none`),
    zero(R.rdi),
    movReg(R.rsi, R.r15),
    movImm(R.rdx, O_CLOEXEC.amd64),
    movImm(R.rax, SYS.openat),
    syscall(),
    test64(R.rax),
    jump("s", next),
    movReg(R.rbx, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, buffer),
    movImm(R.rdx, SUPERBLOCK.read),
    movImm(R.r10, SUPERBLOCK.offset),
    movImm(R.rax, SYS.pread64),
    syscall(),
    movReg(R.rbp, R.rax),
    movReg(R.rdi, R.rbx),
    movImm(R.rax, SYS.close),
    syscall(),
    movImm(R.rcx, SUPERBLOCK.read),
    cmp64(R.rbp, R.rcx),
    jump("ne", next),
    // rsi at the magic: the magic's two bytes, then the label 64 bytes further.
    movImm(R.rsi, buffer + SUPERBLOCK.magic),
    loadByte(R.rax, R.rsi, 0),
    cmpImm8(R.rax, 0x53),
    jump("ne", next),
    loadByte(R.rax, R.rsi, 1),
    movImm(R.rcx, 0xef),
    cmp64(R.rax, R.rcx),
    jump("ne", next),
  ];
  disk.label.forEach((byte, j) => code.push(loadByte(R.rax, R.rsi, SUPERBLOCK.label - SUPERBLOCK.magic + j), cmpImm8(R.rax, byte), jump("ne", next)));
  code.push(
    movReg(R.rdi, R.r15),
    movImm(R.rsi, target),
    movImm(R.rdx, disk.ext4),
    movImm(R.r10, flags),
    zero(R.r8),
    movImm(R.rax, SYS.mount),
    syscall(),
    test64(R.rax),
    jump("s", next),
    ...(disk.owned ? call(SYS.fchownat, 0, target, l.uid, l.gid, 0) : []),
    ...(disk.flag === undefined ? [] : [movImm(R.rax, 1), store32(disk.flag, R.rax)]),
    ...write(1, disk.found),
    jump("always", `mounted${i}`),
    label(next),
    addImm(R.r15, DEVICE_RECORD),
    jump("always", `disk${i}`),
    label(`disk${i}_none`),
    ...(disk.missing === undefined ? [] : write(1, disk.missing)),
  );
  return code;
}

/** The init's x86-64 machine code. Register use: rbp holds the child's pid, rbx the exit status N. */
export function amd64Program(l: Layout, bss: number): Uint8Array {
  const buffer = bss + BSS.buffer;
  const code: Item[] = [];
  // 1. The mounts. A failed one is said on the console (fd 2) and the boot goes on: the
  //    program may not need it, and the status line still comes.
  //    The system's mounts now; the spec's after the modules, which bring the disks.
  const mount = (m: Layout["mounts"][number], i: number): Item[] => [
    ...(m.disk === undefined ? [] : diskSearch(m.target, m.m.flags, m.disk, i, l, bss)),
    ...call(SYS.mount, m.source, m.target, m.fstype, m.m.flags, m.data),
    test64(R.rax),
    jump("ns", `mounted${i}`),
    ...write(2, m.failed),
    label(`mounted${i}`),
  ];
  l.mounts.forEach((m, i) => {
    if (i < SYSTEM_MOUNTS) code.push(...mount(m, i));
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
  // The spec's volumes (each on its disk when there is one) and tmpfs mounts.
  l.mounts.forEach((m, i) => {
    if (i >= SYSTEM_MOUNTS) code.push(...mount(m, i));
  });
  // The debugging toolkit's disk, when one is attached: read-only in a directory of root's on
  // /run; without it, the directory goes again.
  const dbg = l.debug;
  code.push(
    ...call(SYS.mkdirat, 0, dbg.dir, 0o700),
    ...diskSearch(dbg.dir, dbg.flags, dbg.disk, "_debug", l, bss),
    ...call(SYS.unlinkat, 0, dbg.dir, AT_REMOVEDIR),
    label("mounted_debug"),
  );
  // 3. The host name, then the network: ioctls on one socket (loopback up; a static address,
  //    netmask, card up, default route), the lowest port a user may bind, the DHCP client.
  code.push(...call(SYS.sethostname, l.hostname.address, l.hostname.length));
  code.push(...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0), movReg(R.rbx, R.rax));
  l.ioctls.forEach((io, i) => {
    code.push(
      test64(R.rbx),
      jump("s", `ioctl_failed${i}`),
      movReg(R.rdi, R.rbx),
      movImm(R.rsi, io.request),
      movImm(R.rdx, io.arg),
      movImm(R.rax, SYS.ioctl),
      syscall(),
      test64(R.rax),
      jump("ns", `ioctl_done${i}`),
      label(`ioctl_failed${i}`),
      ...write(2, io.failed),
      label(`ioctl_done${i}`),
    );
  });
  code.push(movReg(R.rdi, R.rbx), movImm(R.rax, SYS.close), syscall());
  if (l.portStart !== undefined) code.push(...writeFile(l.portStart.path, l.portStart.value, l.portStart.failed, "port_start"));
  if (l.dhcp !== undefined) code.push(...dhcp(l.dhcp, buffer));
  for (const f of l.stageFiles) code.push(...call(SYS.unlinkat, 0, f, 0));
  for (const d of l.stageDirs) code.push(...call(SYS.unlinkat, 0, d, AT_REMOVEDIR));
  // 4. / read-only, best effort: the rootfs may refuse, and nothing depends on it.
  code.push(...call(SYS.mount, 0, l.root, 0, MS.REMOUNT | MS.RDONLY, 0));
  // 5. PID 1 supervises. Registers from here: rbp the program's pid (0 when it is not running),
  //    rbx its exit status N, r12 the timer's pid (0 when none), r13 1 once the power button
  //    was pressed, r14 the restart pause in seconds. The timer and the watchers are child
  //    processes, so PID 1 needs no signal handler: wait4 tells it everything.
  const sv = l.supervise;
  const pids = bss + BSS.watchers;
  const pause = bss + BSS.pause;
  // A watcher per input device, each blocked reading it, exiting 0 on a press of the power key:
  // started before the program, so that a press as soon as it runs is seen.
  sv.inputs.forEach((_, i) => code.push(...call(SYS.fork), test64(R.rax), jump("e", `watcher${i}`), store32(pids + 4 * i, R.rax)));
  // The debug shell, when the toolkit's disk is mounted: a child of its own on the console.
  code.push(
    load32(R.rax, dbg.disk.flag as number),
    test64(R.rax),
    jump("e", "no_debug_shell"),
    ...call(SYS.fork),
    test64(R.rax),
    jump("e", "debug_shell"),
    label("no_debug_shell"),
  );
  code.push(zero(R.rbp), zero(R.r12), zero(R.r13), movImm(R.r14, 1), ...startProgram("first"));
  // 6. Reap every process (orphans come to PID 1 too); the status goes to the top of the stack.
  code.push(
    label("reap"),
    movImmSigned(R.rdi, -1),
    movReg(R.rsi, R.rsp),
    zero(R.rdx),
    zero(R.r10),
    movImm(R.rax, SYS.wait4),
    syscall(),
    test64(R.rax),
    jump("s", "nothing_left"),
    test64(R.rbp),
    jump("e", "not_program"),
    cmp64(R.rax, R.rbp),
    jump("e", "program_exited"),
    label("not_program"),
    test64(R.r12),
    jump("e", "not_timer"),
    cmp64(R.rax, R.r12),
    jump("e", "timer_fired"),
    label("not_timer"),
  );
  sv.inputs.forEach((_, i) => code.push(load32(R.rcx, pids + 4 * i), cmp64(R.rax, R.rcx), jump("e", "watcher_exited")));
  code.push(jump("always", "reap"));
  // The power button: SIGTERM to the program and a timer for its grace; a second press is ignored.
  code.push(
    label("watcher_exited"),
    loadTopOfStack32(R.rcx),
    test64(R.rcx),
    jump("ne", "reap"),
    test64(R.r13),
    jump("ne", "reap"),
    movImm(R.r13, 1),
    ...write(1, sv.powerButton),
    test64(R.rbp),
    jump("e", "power_off"),
    movReg(R.rdi, R.rbp),
    movImm(R.rsi, SIG.TERM),
    movImm(R.rax, SYS.kill),
    syscall(),
    ...timer("grace"),
    jump("always", "reap"),
  );
  // The timer: after the grace, SIGKILL; after a restart's pause, the program again.
  code.push(
    label("timer_fired"),
    zero(R.r12),
    test64(R.r13),
    jump("e", "restart"),
    test64(R.rbp),
    jump("e", "reap"),
    ...write(1, sv.killing),
    movReg(R.rdi, R.rbp),
    movImm(R.rsi, SIG.KILL),
    movImm(R.rax, SYS.kill),
    syscall(),
    jump("always", "reap"),
    label("restart"),
    ...write(1, sv.restarting),
    ...startProgram("again"),
    jump("always", "reap"),
  );
  // 7. The program exited. N: the exit code (bits 8-15) when the signal bits (0-6) are 0,
  //    else 128 + the signal.
  code.push(
    label("program_exited"),
    zero(R.rbp),
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
  // 8. One write of line N from the table (its length in the record's last byte). Then, unless
  //    the machine is stopping, onExit restart pauses (1 s, doubling to 30 s) and runs it again.
  code.push(
    label("report"),
    imulImm8(R.rsi, R.rbx, LINE_STRIDE),
    addImm(R.rsi, l.exitTable),
    loadByte(R.rdx, R.rsi, LINE_STRIDE - 1),
    movImm(R.rdi, 1),
    movImm(R.rax, SYS.write),
    syscall(),
  );
  if (sv.restart) {
    code.push(
      test64(R.r13),
      jump("ne", "power_off"),
      store32(pause, R.r14),
      ...timer("pause"),
      addReg(R.r14, R.r14),
      cmpImm8(R.r14, MAX_PAUSE_SECONDS),
      jump("be", "reap"),
      movImm(R.r14, MAX_PAUSE_SECONDS),
      jump("always", "reap"),
    );
  }
  // sync and reboot(2). If reboot returns, exiting PID 1 panics the kernel, which panic=-1 reboots.
  code.push(label("power_off"), label("nothing_left"), ...call(SYS.sync));
  // Disks unmounted (their file systems clean), the last mounted first; a busy one is made read-only.
  [...l.mounts].reverse().forEach((m) => {
    if (m.disk !== undefined) code.push(...call(SYS.umount2, m.target, 0), test64(R.rax), jump("e", `unmounted${m.target}`), ...call(SYS.mount, 0, m.target, 0, MS.REMOUNT | MS.RDONLY, 0), label(`unmounted${m.target}`));
  });
  code.push(
    ...call(SYS.reboot, REBOOT.magic1, REBOOT.magic2, l.rebootCommand, 0),
    movReg32(R.rdi, R.rbx),
    movImm(R.rax, SYS.exit),
    syscall(),
  );
  // The watchers: read one input event at a time; a press of KEY_POWER ends the watcher with 0,
  // anything that goes wrong (no such device) with 1.
  sv.inputs.forEach((device, i) => {
    code.push(
      label(`watcher${i}`),
      ...call(SYS.openat, 0, device, O_CLOEXEC.amd64),
      test64(R.rax),
      jump("s", "watcher_gone"),
      movReg(R.rbx, R.rax),
      jump("always", "watch"),
    );
  });
  const e = INPUT_EVENT;
  code.push(
    label("watch"),
    movReg(R.rdi, R.rbx),
    movImm(R.rsi, bss + BSS.buffer),
    movImm(R.rdx, e.size),
    zero(R.rax),
    syscall(),
    cmpImm8(R.rax, e.size),
    jump("ne", "watcher_gone"),
    movImm(R.rsi, bss + BSS.buffer),
    ...[
      [e.type, e.EV_KEY],
      [e.type + 1, 0],
      [e.code, e.KEY_POWER],
      [e.code + 1, 0],
      [e.value, 1],
    ].flatMap(([at, byte]) => [loadByte(R.rax, R.rsi, at as number), cmpImm8(R.rax, byte as number), jump("ne", "watch")]),
    ...call(SYS.exit, 0),
    label("watcher_gone"),
    ...call(SYS.exit, 1),
  );
  // The timers: sleep, then exit.
  for (const name of ["grace", "pause"]) code.push(label(`timer_${name}`), ...call(SYS.nanosleep, name === "grace" ? sv.grace : pause, 0), ...call(SYS.exit, 0));
  // fork failed: there is no program; report it as a shell does a command it cannot run.
  code.push(label("no_fork"), ...write(2, l.noFork), movImm(R.rbx, 127), jump("always", "report"));
  // The debug shell's child: a session with the console as its terminal, then the toolkit's script.
  code.push(
    label("debug_shell"),
    ...call(SYS.setsid),
    ...call(SYS.ioctl, 0, TIOCSCTTY, 1),
    ...call(SYS.execve, dbg.shell, dbg.argv, dbg.envp),
    ...write(2, dbg.noShell),
    ...call(SYS.exit, 127),
  );
  code.push(...childProgram(l));
  return assemble(code);
}

/** fork the program: the child runs it (label `child`), the parent keeps its pid in rbp. */
function startProgram(name: string): Item[] {
  return [...call(SYS.fork), test64(R.rax), jump("s", "no_fork"), jump("e", "child"), movReg(R.rbp, R.rax), label(`started_${name}`)];
}

/** fork a timer (its child sleeps, at `timer_NAME`, and exits), its pid in r12. */
function timer(name: "grace" | "pause"): Item[] {
  return [...call(SYS.fork), test64(R.rax), jump("e", `timer_${name}`), jump("s", `timer_failed_${name}`), movReg(R.r12, R.rax), label(`timer_failed_${name}`)];
}

function childProgram(l: Layout): Item[] {
  const code: Item[] = [];
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
  return code;
}

