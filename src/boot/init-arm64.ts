import { load32, store32, addImm, addImm32, addShifted, cmpImm, subReg, assemble, branch, cmpReg, label, loadByte, loadTopOfStack32, movFromSp, movImm, movMinusOne, movReg, svc, ubfx, type Item, type XReg } from "./aarch64.js";
import { DEVICE_RECORD, SUPERBLOCK, type DiskSearch, AF_INET, AT_REMOVEDIR, BSS, BUFFER_SIZE, INPUT_EVENT, LINE_STRIDE, MAX_PAUSE_SECONDS, SIG, O_CLOEXEC, REBOOT, SOCK_DGRAM_CLOEXEC, IFF_RUNNING, SIOCGIFFLAGS, SIOCSIFFLAGS, TIOCSCTTY, type Dhcp, type Layout, type Text } from "./init-layout.js";
import { MS } from "./init-plan.js";

/**
 * arm64 Linux system call numbers (include/uapi/asm-generic/unistd.h). There is no fork:
 * clone(SIGCHLD, 0, ...) is fork.
 */
const SYS = { write: 64, chdir: 49, execve: 221, exit: 93, clone: 220, wait4: 260, setuid: 146, setgid: 144, setsid: 157, setgroups: 159, sync: 81, mount: 40, reboot: 142, openat: 56, finit_module: 273, close: 57, unlinkat: 35, socket: 198, ioctl: 29, read: 63, sethostname: 161, kill: 129, nanosleep: 101, pread64: 67, fchownat: 54, umount2: 39, mkdirat: 34 } as const;
/** The first mounts of bootMounts are the system's (proc, sys, dev, run); the spec's follow. */
const SYSTEM_MOUNTS = 4;
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

/** A volume's disk, as on x86-64 (src/boot/init-amd64.ts). x24 the device record, x22 the descriptor, x23 what was read. */
function diskSearch(target: number, flags: number, disk: DiskSearch, i: number | string, l: Layout, bss: number): Item[] {
  const buffer = bss + BSS.buffer;
  const next = `disk${i}_next`;
  const record: XReg = 24;
  const code: Item[] = [
    ...movImm(record, l.devices.start),
    label(`disk${i}`),
    ...movImm(X.byte, l.devices.end),
    cmpReg(record, X.byte),
    branch({ op: "b.cond", cond: "hs" }, `disk${i}_none`),
    ...movImm(0, 0),
    movReg(1, record),
    ...movImm(2, O_CLOEXEC.arm64),
    ...movImm(8, SYS.openat),
    svc(),
    ifFailed(next),
    movReg(X.fd, 0),
    ...movImm(1, buffer),
    ...movImm(2, SUPERBLOCK.read),
    ...movImm(3, SUPERBLOCK.offset),
    ...movImm(8, SYS.pread64),
    svc(),
    movReg(X.end, 0),
    movReg(0, X.fd),
    ...movImm(8, SYS.close),
    svc(),
    cmpImm(X.end, SUPERBLOCK.read),
    branch({ op: "b.cond", cond: "ne" }, next),
    ...movImm(1, buffer + SUPERBLOCK.magic),
    loadByte(X.byte, 1, 0),
    cmpImm(X.byte, 0x53),
    branch({ op: "b.cond", cond: "ne" }, next),
    loadByte(X.byte, 1, 1),
    cmpImm(X.byte, 0xef),
    branch({ op: "b.cond", cond: "ne" }, next),
  ];
  disk.label.forEach((byte, j) => code.push(loadByte(X.byte, 1, SUPERBLOCK.label - SUPERBLOCK.magic + j), cmpImm(X.byte, byte), branch({ op: "b.cond", cond: "ne" }, next)));
  code.push(
    movReg(0, record),
    ...movImm(1, target),
    ...movImm(2, disk.ext4),
    ...movImm(3, flags),
    ...movImm(4, 0),
    ...movImm(8, SYS.mount),
    svc(),
    ifFailed(next),
    ...(disk.owned ? call(SYS.fchownat, 0, target, l.uid, l.gid, 0) : []),
    ...(disk.flag === undefined ? [] : [...movImm(10, disk.flag), ...movImm(X.byte, 1), store32(X.byte, 10)]),
    ...write(1, disk.found),
    branch({ op: "b" }, `mounted${i}`),
    label(next),
    addImm(record, record, DEVICE_RECORD),
    branch({ op: "b" }, `disk${i}`),
    label(`disk${i}_none`),
    ...(disk.missing === undefined ? [] : write(1, disk.missing)),
  );
  return code;
}

/** The DHCP client, then /etc/resolv.conf from its lease file (as on x86-64, src/boot/init-amd64.ts). */
function dhcp(d: Dhcp, buffer: number): Item[] {
  const code: Item[] = [
    // The card up, then its carrier awaited (x22 the socket, x23 the tries left).
    ...call(SYS.socket, AF_INET, SOCK_DGRAM_CLOEXEC, 0),
    movReg(X.fd, 0),
    branch({ op: "tbnz", reg: X.fd, bit: 63 }, "carrier_done"),
    movReg(0, X.fd),
    ...movImm(1, SIOCSIFFLAGS),
    ...movImm(2, d.link.up),
    ...movImm(8, SYS.ioctl),
    svc(),
    ...movImm(X.end, d.link.tries),
    label("carrier_wait"),
    movReg(0, X.fd),
    ...movImm(1, SIOCGIFFLAGS),
    ...movImm(2, d.link.query),
    ...movImm(8, SYS.ioctl),
    svc(),
    ...movImm(X.byte, d.link.query + 16),
    load32(X.byte, X.byte),
    branch({ op: "tbnz", reg: X.byte, bit: Math.log2(IFF_RUNNING) }, "carrier_up"),
    ...call(SYS.nanosleep, d.link.tick, 0),
    ...movImm(X.byte, 1),
    subReg(X.end, X.end, X.byte),
    branch({ op: "cbnz", reg: X.end, wide: true }, "carrier_wait"),
    ...write(2, d.link.noCarrier),
    label("carrier_up"),
    movReg(0, X.fd),
    ...movImm(8, SYS.close),
    svc(),
    label("carrier_done"),
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
export function arm64Program(l: Layout, bss: number): Uint8Array {
  const buffer = bss + BSS.buffer;
  const child: XReg = 19;
  const status: XReg = 20;
  const n: XReg = 21;
  const code: Item[] = [];
  // 1. The mounts; a failure is said on the console and the boot goes on.
  const mount = (m: Layout["mounts"][number], i: number): Item[] => [
    ...(m.disk === undefined ? [] : diskSearch(m.target, m.m.flags, m.disk, i, l, bss)),
    ...call(SYS.mount, m.source, m.target, m.fstype, m.m.flags, m.data),
    branch({ op: "tbz", reg: 0, bit: 63 }, `mounted${i}`),
    ...write(2, m.failed),
    label(`mounted${i}`),
  ];
  l.mounts.forEach((m, i) => {
    if (i < SYSTEM_MOUNTS) code.push(...mount(m, i));
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
  // The spec's volumes (each on its disk when there is one) and tmpfs mounts.
  l.mounts.forEach((m, i) => {
    if (i >= SYSTEM_MOUNTS) code.push(...mount(m, i));
  });
  // The debugging toolkit's disk, when one is attached (as on x86-64).
  const dbg = l.debug;
  code.push(
    ...call(SYS.mkdirat, 0, dbg.dir, 0o700),
    ...diskSearch(dbg.dir, dbg.flags, dbg.disk, "_debug", l, bss),
    ...call(SYS.unlinkat, 0, dbg.dir, AT_REMOVEDIR),
    label("mounted_debug"),
  );
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
  // 5. PID 1 supervises, as on x86-64 (src/boot/init-amd64.ts). Registers: x19 the program's
  //    pid (0 when not running), x20 its wait status, x21 N, x27 the timer's pid (0 when none),
  //    x28 1 once the power button was pressed, x25 the restart pause in seconds.
  const sv = l.supervise;
  const timerPid: XReg = 27;
  const stopping: XReg = 28;
  const pauseSeconds: XReg = 25;
  const pids = bss + BSS.watchers;
  const pause = bss + BSS.pause;
  const startProgram = (name: string): Item[] => [...call(SYS.clone, SIGCHLD, 0, 0, 0, 0), ifFailed("no_fork"), branch({ op: "cbz", reg: 0, wide: true }, "child"), movReg(child, 0), label(`started_${name}`)];
  const timer = (name: string): Item[] => [...call(SYS.clone, SIGCHLD, 0, 0, 0, 0), branch({ op: "cbz", reg: 0, wide: true }, `timer_${name}`), ifFailed(`timer_failed_${name}`), movReg(timerPid, 0), label(`timer_failed_${name}`)];
  const kill = (signal: number): Item[] => [movReg(0, child), ...movImm(1, signal), ...movImm(8, SYS.kill), svc()];
  sv.inputs.forEach((_, i) => code.push(...call(SYS.clone, SIGCHLD, 0, 0, 0, 0), branch({ op: "cbz", reg: 0, wide: true }, `watcher${i}`), ...movImm(9, pids + 4 * i), store32(0, 9)));
  // The debug shell, when the toolkit's disk is mounted (as on x86-64).
  code.push(
    ...movImm(X.byte, dbg.disk.flag as number),
    load32(X.byte, X.byte),
    branch({ op: "cbz", reg: X.byte, wide: false }, "no_debug_shell"),
    ...call(SYS.clone, SIGCHLD, 0, 0, 0, 0),
    branch({ op: "cbz", reg: 0, wide: true }, "debug_shell"),
    label("no_debug_shell"),
  );
  code.push(...movImm(child, 0), ...movImm(timerPid, 0), ...movImm(stopping, 0), ...movImm(pauseSeconds, 1), ...startProgram("first"));
  // 6. Reap every process; the status goes to [sp].
  code.push(
    label("reap"),
    movMinusOne(0),
    movFromSp(1),
    ...movImm(2, 0),
    ...movImm(3, 0),
    ...movImm(8, SYS.wait4),
    svc(),
    ifFailed("nothing_left"),
    branch({ op: "cbz", reg: child, wide: true }, "not_program"),
    cmpReg(0, child),
    branch({ op: "b.cond", cond: "eq" }, "program_exited"),
    label("not_program"),
    branch({ op: "cbz", reg: timerPid, wide: true }, "not_timer"),
    cmpReg(0, timerPid),
    branch({ op: "b.cond", cond: "eq" }, "timer_fired"),
    label("not_timer"),
  );
  sv.inputs.forEach((_, i) => code.push(...movImm(9, pids + 4 * i), load32(9, 9), cmpReg(0, 9), branch({ op: "b.cond", cond: "eq" }, "watcher_exited")));
  code.push(branch({ op: "b" }, "reap"));
  code.push(
    label("watcher_exited"),
    loadTopOfStack32(status),
    branch({ op: "cbnz", reg: status, wide: false }, "reap"),
    branch({ op: "cbnz", reg: stopping, wide: true }, "reap"),
    ...movImm(stopping, 1),
    ...write(1, sv.powerButton),
    branch({ op: "cbz", reg: child, wide: true }, "power_off"),
    ...kill(SIG.TERM),
    ...timer("grace"),
    branch({ op: "b" }, "reap"),
    label("timer_fired"),
    ...movImm(timerPid, 0),
    branch({ op: "cbz", reg: stopping, wide: true }, "restart"),
    branch({ op: "cbz", reg: child, wide: true }, "reap"),
    ...write(1, sv.killing),
    ...kill(SIG.KILL),
    branch({ op: "b" }, "reap"),
    label("restart"),
    ...write(1, sv.restarting),
    ...startProgram("again"),
    branch({ op: "b" }, "reap"),
  );
  // 7. N: the exit code (bits 8-15) when the signal bits (0-6) are 0, else 128 + the signal.
  code.push(
    label("program_exited"),
    ...movImm(child, 0),
    loadTopOfStack32(status),
    ubfx(n, status, 0, 7),
    branch({ op: "cbnz", reg: n, wide: false }, "signaled"),
    ubfx(n, status, 8, 8),
    branch({ op: "b" }, "report"),
    label("signaled"),
    addImm32(n, n, 128),
  );
  // 8. Line N of the table (table + 24 N = table + 8 (N + 2 N)), its length in the record's
  //    last byte; one write. Then a restart after a pause, or sync and reboot(2); if reboot
  //    returns, exit (a panic, then a reboot).
  code.push(
    label("report"),
    addShifted(1, n, n, 1),
    ...movImm(9, l.exitTable),
    addShifted(1, 9, 1, 3),
    loadByte(2, 1, LINE_STRIDE - 1),
    ...movImm(0, 1),
    ...movImm(8, SYS.write),
    svc(),
  );
  if (sv.restart) {
    code.push(
      branch({ op: "cbnz", reg: stopping, wide: true }, "power_off"),
      ...movImm(9, pause),
      store32(pauseSeconds, 9),
      ...timer("pause"),
      addShifted(pauseSeconds, pauseSeconds, pauseSeconds, 0),
      cmpImm(pauseSeconds, MAX_PAUSE_SECONDS),
      branch({ op: "b.cond", cond: "ls" }, "reap"),
      ...movImm(pauseSeconds, MAX_PAUSE_SECONDS),
      branch({ op: "b" }, "reap"),
    );
  }
  code.push(label("power_off"), label("nothing_left"), ...call(SYS.sync));
  [...l.mounts].reverse().forEach((m) => {
    if (m.disk !== undefined) code.push(...call(SYS.umount2, m.target, 0), branch({ op: "cbz", reg: 0, wide: true }, `unmounted${m.target}`), ...call(SYS.mount, 0, m.target, 0, MS.REMOUNT | MS.RDONLY, 0), label(`unmounted${m.target}`));
  });
  code.push(
    ...call(SYS.reboot, REBOOT.magic1, REBOOT.magic2, l.rebootCommand, 0),
    movReg(0, n),
    ...movImm(8, SYS.exit),
    svc(),
  );
  // The watchers: one input event at a time; a press of KEY_POWER exits 0, a failure 1.
  sv.inputs.forEach((device, i) => code.push(label(`watcher${i}`), ...call(SYS.openat, 0, device, O_CLOEXEC.arm64), ifFailed("watcher_gone"), movReg(X.fd, 0), branch({ op: "b" }, "watch")));
  const e = INPUT_EVENT;
  code.push(
    label("watch"),
    movReg(0, X.fd),
    ...movImm(1, bss + BSS.buffer),
    ...movImm(2, e.size),
    ...movImm(8, SYS.read),
    svc(),
    cmpImm(0, e.size),
    branch({ op: "b.cond", cond: "ne" }, "watcher_gone"),
    ...movImm(1, bss + BSS.buffer),
    ...[
      [e.type, e.EV_KEY],
      [e.type + 1, 0],
      [e.code, e.KEY_POWER],
      [e.code + 1, 0],
      [e.value, 1],
    ].flatMap(([at, byte]) => [loadByte(X.byte, 1, at as number), cmpImm(X.byte, byte as number), branch({ op: "b.cond", cond: "ne" }, "watch")]),
    ...call(SYS.exit, 0),
    label("watcher_gone"),
    ...call(SYS.exit, 1),
  );
  for (const name of ["grace", "pause"]) code.push(label(`timer_${name}`), ...call(SYS.nanosleep, name === "grace" ? sv.grace : pause, 0), ...call(SYS.exit, 0));
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
    // The debug shell's child: a session with the console as its terminal, then the toolkit's script.
    label("debug_shell"),
    ...call(SYS.setsid),
    ...call(SYS.ioctl, 0, TIOCSCTTY, 1),
    ...call(SYS.execve, dbg.shell, dbg.argv, dbg.envp),
    ...write(2, dbg.noShell),
    ...call(SYS.exit, 127),
  );
  return assemble(code);
}
