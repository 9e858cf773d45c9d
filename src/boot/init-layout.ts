import { BOOT_STAGE_DIR, bootMounts, type BootMount, type InitPlan } from "./init-plan.js";

/** reboot(2)'s magic numbers and commands (the same on every architecture). */
export const REBOOT = { magic1: 0xfee1dead, magic2: 672274793, powerOff: 0x4321fedc, restart: 0x01234567 } as const;

/** An interface's "up" flag (include/uapi/linux/if.h), and the ioctl that sets the flags. */
export const IFF_UP = 0x1;
export const SIOCSIFFLAGS = 0x8914;
/** Flags of the sockets and files the init opens: close-on-exec, so the program inherits none. */
export const O_CLOEXEC = { amd64: 0o2000000, arm64: 0o2000000 } as const;
export const SOCK_DGRAM_CLOEXEC = 2 | 0o2000000;
export const AF_INET = 2;
export const AT_REMOVEDIR = 0x200;

/** Bytes per line of the exit status table: the line, zero padding, its length in the last byte. */
export const LINE_STRIDE = 24;

/** The one machine-readable line the init prints when the program has exited. */
export function exitStatusLine(status: number): string {
  return `mcc: exit status ${status}\n`;
}

/** The addresses (and lengths) the code refers to, all in the data segment. */
export interface Layout {
  readonly mounts: readonly { readonly m: BootMount; readonly source: number; readonly target: number; readonly fstype: number; readonly data: number; readonly failed: Text }[];
  /** Kernel modules in load order: the file, and the line said when it cannot be loaded. */
  readonly modules: readonly { readonly path: number; readonly failed: Text }[];
  /** The boot stage's directory, removed once empty; 0 when there is none. */
  readonly bootDir: number;
  /** An empty string (finit_module's parameters). */
  readonly empty: number;
  /** `struct ifreq` of the loopback interface with IFF_UP, for SIOCSIFFLAGS. */
  readonly loopback: { readonly ifreq: number; readonly failed: Text };
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

export interface Text {
  readonly address: number;
  readonly length: number;
}

export function layOut(plan: InitPlan, data: Data): Layout {
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
  const modules = plan.modules.map((path) => {
    if (!path.startsWith(`${BOOT_STAGE_DIR}/`)) throw new Error(`a kernel module for the init lies outside ${BOOT_STAGE_DIR}: ${path}`);
    return { path: data.cstring(path), failed: data.text(`mcc: cannot load the kernel module ${path.slice(BOOT_STAGE_DIR.length + 1)}\n`) };
  });
  // struct ifreq: the name (16 bytes, NUL-padded), then ifr_flags (a short) in the union.
  const ifreq = new Uint8Array(40);
  ifreq.set(new TextEncoder().encode("lo"), 0);
  new DataView(ifreq.buffer).setUint16(16, IFF_UP, true);
  return {
    mounts,
    modules,
    bootDir: plan.modules.length === 0 ? 0 : data.cstring(BOOT_STAGE_DIR),
    empty: data.cstring(""),
    loopback: { ifreq: data.block(ifreq, 8), failed: data.text("mcc: cannot bring up the loopback interface\n") },
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

/** The data segment being laid out at `start`: strings, pointer arrays, the table. */
export interface Data {
  /** A NUL-terminated string; its address. */
  cstring(s: string): number;
  /** Bytes to write (no NUL); address and length. */
  text(s: string): Text;
  /** A NULL-terminated array of 64-bit pointers, 8-aligned; its address. */
  pointers(addresses: readonly number[]): number;
  block(bytes: Uint8Array, align: number): number;
  bytes(): Uint8Array;
}

export function createData(start: number): Data {
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
