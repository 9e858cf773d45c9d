import { DATA_START, staticElf } from "./elf64.js";
import { MS, bootMounts, type BootMount, type InitPlan } from "./init-plan.js";
import { R, addImm, andImm, assemble, cmp64, imulImm8, jump, label, loadByte, loadTopOfStack32, movImm, movImmSigned, movReg, movReg32, shrImm, syscall, test64, zero, type Item, type Reg } from "./x86-64.js";

/** x86-64 Linux system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
const SYS = { write: 1, chdir: 80, execve: 59, exit: 60, fork: 57, wait4: 61, setuid: 105, setgid: 106, setsid: 112, setgroups: 116, sync: 162, mount: 165, reboot: 169 } as const;

/** reboot(2)'s magic numbers and commands. */
const REBOOT = { magic1: 0xfee1dead, magic2: 672274793, powerOff: 0x4321fedc, restart: 0x01234567 } as const;

/** Bytes per line of the exit status table: the line, zero padding, its length in the last byte. */
const LINE_STRIDE = 24;

/** The one machine-readable line the init prints when the program has exited. */
export function exitStatusLine(status: number): string {
  return `mcc: exit status ${status}\n`;
}

/**
 * The init, as a static ELF executable generated here: no libc, no shell, only system calls,
 * so the image gains no package and the bytes are a function of the plan alone. What it does:
 * the mounts of `bootMounts` (a failure is reported on the console and the boot goes on), a
 * best-effort remount of / read-only, then fork. The child starts a session, drops to the
 * plan's user (setgroups to none, setgid, setuid), enters the working directory and executes
 * the program; if any of that fails it prints why and exits 127. The parent, PID 1, reaps
 * every process until the child itself is reaped, prints `mcc: exit status N` (the exit code,
 * or 128 + the signal that killed it), syncs, and powers off (or restarts). Pure.
 */
export function initElf(plan: InitPlan): Uint8Array {
  if (plan.arch !== "amd64") throw new Error(`the generated init exists for amd64 only; ${plan.arch} needs its own encoder (see docs/initramfs.md)`);
  const data = createData(DATA_START);
  const layout = layOut(plan, data);
  return staticElf("amd64", data.bytes(), assemble(amd64Program(layout)));
}

/** The addresses (and lengths) the code refers to, all in the data segment. */
interface Layout {
  readonly mounts: readonly { readonly m: BootMount; readonly source: number; readonly target: number; readonly fstype: number; readonly data: number; readonly failed: Text }[];
  readonly root: number;
  readonly executable: number;
  readonly argv: number;
  readonly envp: number;
  readonly workdir: number;
  readonly uid: number;
  readonly gid: number;
  readonly exitTable: number;
  readonly rebootCommand: number;
  readonly noFork: Text;
  readonly noUser: Text;
  readonly noWorkdir: Text;
  readonly noExec: Text;
}

interface Text {
  readonly address: number;
  readonly length: number;
}

function layOut(plan: InitPlan, data: Data): Layout {
  const mounts = bootMounts(plan).map((m) => ({
    m,
    source: data.cstring(m.source),
    target: data.cstring(m.target),
    fstype: data.cstring(m.fstype),
    data: m.data === undefined ? 0 : data.cstring(m.data),
    failed: data.text(`mcc: cannot mount ${m.fstype} on ${m.target}\n`),
  }));
  const executable = data.cstring(plan.executable);
  const argv = data.pointers([executable, ...plan.args.map((a) => data.cstring(a))]);
  const env = Object.keys(plan.env)
    .sort()
    .map((key) => {
      if (key === "" || key.includes("=")) throw new Error(`not an environment variable name: "${key}"`);
      return data.cstring(`${key}=${plan.env[key]}`);
    });
  const envp = data.pointers(env);
  const lines = new Uint8Array(256 * LINE_STRIDE);
  for (let n = 0; n < 256; n++) {
    const line = new TextEncoder().encode(exitStatusLine(n));
    lines.set(line, n * LINE_STRIDE);
    lines[n * LINE_STRIDE + LINE_STRIDE - 1] = line.length;
  }
  return {
    mounts,
    root: data.cstring("/"),
    executable,
    argv,
    envp,
    workdir: data.cstring(plan.workdir),
    uid: id(plan.uid),
    gid: id(plan.gid),
    exitTable: data.block(lines, 8),
    rebootCommand: plan.onExit === "restart" ? REBOOT.restart : REBOOT.powerOff,
    noFork: data.text("mcc: cannot fork\n"),
    noUser: data.text(`mcc: cannot switch to uid ${plan.uid} gid ${plan.gid}\n`),
    noWorkdir: data.text(`mcc: cannot enter the working directory ${plan.workdir}\n`),
    noExec: data.text(`mcc: cannot execute ${plan.executable}\n`),
  };
}

function id(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= 0xffffffff) throw new Error(`not a uid or gid: ${value}`);
  return value;
}

/** `write(fd, text)`, rax and the argument registers clobbered. */
function write(fd: number, text: Text): Item[] {
  return [movImm(R.rdi, fd), movImm(R.rsi, text.address), movImm(R.rdx, text.length), movImm(R.rax, SYS.write), syscall()];
}

/** A system call with up to five arguments (rdi, rsi, rdx, r10, r8); 0 is loaded by xor. */
function call(number: number, ...args: number[]): Item[] {
  const regs: Reg[] = [R.rdi, R.rsi, R.rdx, R.r10, R.r8];
  return [...args.map((value, i) => (value === 0 ? zero(regs[i] as Reg) : movImm(regs[i] as Reg, value))), movImm(R.rax, number), syscall()];
}

/** The init's machine code. Register use: rbp holds the child's pid, rbx the exit status N. */
function amd64Program(l: Layout): Item[] {
  const code: Item[] = [];
  // 1. The mounts. A failed one is said on the console (fd 2) and the boot goes on: the
  //    program may not need it, and the status line still comes.
  l.mounts.forEach((m, i) => {
    code.push(...call(SYS.mount, m.source, m.target, m.fstype, m.m.flags, m.data));
    code.push(test64(R.rax), jump("ns", `mounted${i}`), ...write(2, m.failed), label(`mounted${i}`));
  });
  // 2. / read-only, best effort: the rootfs may refuse, and nothing depends on it.
  code.push(...call(SYS.mount, 0, l.root, 0, MS.REMOUNT | MS.RDONLY, 0));
  // 3. fork: 0 in the child, the child's pid in the parent, negative on failure.
  code.push(...call(SYS.fork), test64(R.rax), jump("s", "no_fork"), jump("e", "child"), movReg(R.rbp, R.rax));
  // 4. PID 1 reaps every process (orphans are re-parented to it) until the child is reaped;
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
  // 5. N: the exit code (bits 8-15) when the signal bits (0-6) are 0, else 128 + the signal.
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
  // 6. One write of line N from the table (its length in the record's last byte), sync, and
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
  // 7. The child: a session of its own, no supplementary groups, the plan's gid then uid
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

/** The data segment being laid out at `start`: strings, pointer arrays, the table. */
interface Data {
  /** A NUL-terminated string; its address. */
  cstring(s: string): number;
  /** Bytes to write (no NUL); address and length. */
  text(s: string): Text;
  /** A NULL-terminated array of 64-bit pointers, 8-aligned; its address. */
  pointers(addresses: readonly number[]): number;
  block(bytes: Uint8Array, align: number): number;
  bytes(): Uint8Array;
}

function createData(start: number): Data {
  const parts: number[] = [];
  const place = (bytes: Uint8Array, align: number) => {
    while ((start + parts.length) % align !== 0) parts.push(0);
    const address = start + parts.length;
    for (const b of bytes) parts.push(b);
    return address;
  };
  const encode = (s: string) => new TextEncoder().encode(s);
  return {
    cstring(s) {
      if (s.includes("\0")) throw new Error(`a string for the init holds a NUL byte: ${JSON.stringify(s)}`);
      return place(encode(`${s}\0`), 1);
    },
    text(s) {
      const bytes = encode(s);
      return { address: place(bytes, 1), length: bytes.length };
    },
    pointers(addresses) {
      const out = new Uint8Array(8 * (addresses.length + 1));
      const view = new DataView(out.buffer);
      addresses.forEach((a, i) => view.setBigUint64(8 * i, BigInt(a), true));
      return place(out, 8);
    },
    block: place,
    bytes: () => Uint8Array.from(parts),
  };
}
