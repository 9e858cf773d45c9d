import { BOOT_STAGE_DIR, bootMounts, DEBUG_DISK, dhcpLeaseFile, DISK_DEVICES, MS, type BootMount, type InitPlan } from "./init-plan.js";

/** reboot(2)'s magic numbers and commands (the same on every architecture). */
export const REBOOT = { magic1: 0xfee1dead, magic2: 672274793, powerOff: 0x4321fedc, restart: 0x01234567 } as const;

/** Interface flags (include/uapi/linux/if.h) and the ioctls that set an interface up (include/uapi/linux/sockios.h). */
export const IFF_UP = 0x1;
export const IFF_MULTICAST = 0x1000;
export const IFF_RUNNING = 0x40;
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const SIOCSIFADDR = 0x8916;
export const SIOCSIFNETMASK = 0x891c;
export const SIOCADDRT = 0x890b;
const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;
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
  readonly mounts: readonly { readonly m: BootMount; readonly source: number; readonly target: number; readonly fstype: number; readonly data: number; readonly failed: Text; readonly disk?: DiskSearch }[];
  readonly debug: DebugLayout;
  /** The device table disks are looked for in (DEVICE_RECORD bytes each, NUL-padded), and its end. */
  readonly devices: { readonly start: number; readonly end: number };
  /** Kernel modules in load order: the file, and the line said when it cannot be loaded. */
  readonly modules: readonly { readonly path: number; readonly failed: Text }[];
  /** An empty string (finit_module's parameters). */
  readonly empty: number;
  /** sethostname's argument. */
  readonly hostname: Text;
  /** ioctl(2) calls on one AF_INET socket, in order: loopback up, then a static address, its netmask, the card up, the default route. */
  readonly ioctls: readonly { readonly request: number; readonly arg: number; readonly failed: Text }[];
  /** `/proc/sys/net/ipv4/ip_unprivileged_port_start` and the value written there. */
  readonly portStart?: { readonly path: number; readonly value: Text; readonly failed: Text };
  /** The DHCP client run before the program, and what makes `/etc/resolv.conf` of its lease file. */
  readonly dhcp?: Dhcp;
  /** What PID 1 does while the program runs: watch for the power button, stop, restart. */
  readonly supervise: {
    readonly inputs: readonly number[];
    readonly grace: number;
    readonly powerButton: Text;
    readonly killing: Text;
    readonly restarting: Text;
    /** onExit restart: run the program again after a pause. */
    readonly restart: boolean;
  };
  /** Files of the boot stage removed after the network is up, then its directories. */
  readonly stageFiles: readonly number[];
  readonly stageDirs: readonly number[];
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

/**
 * A disk looked for by label: the label's bytes (and a NUL when shorter than 16), the file
 * system, what the console says when it is found (and when not, for a volume), whether it is
 * given to the run user (a volume), and where a 1 is stored once it is mounted (the toolkit).
 */
export interface DiskSearch {
  readonly label: Uint8Array;
  readonly ext4: number;
  readonly found: Text;
  readonly missing?: Text;
  readonly owned: boolean;
  readonly flag?: number;
}

/** The debugging toolkit's disk: mounted read-only when attached, and its shell started on the console before the program. */
export interface DebugLayout {
  readonly dir: number;
  readonly flags: number;
  readonly disk: DiskSearch;
  readonly shell: number;
  readonly argv: number;
  readonly envp: number;
  readonly noShell: Text;
}

/** TIOCSCTTY: the console as the debug shell's controlling terminal, for job control and ^C. */
export const TIOCSCTTY = 0x540e;

/** ext4's superblock: 1024 bytes into the disk; its magic at 56 (0xef53), its label at 120. */
export const SUPERBLOCK = { offset: 1024, read: 256, magic: 56, label: 120 } as const;
export const DEVICE_RECORD = 16;

export interface Dhcp {
  /**
   * The card up before the client starts, then its flags read until IFF_RUNNING (carrier) or
   * `tries` pauses of `tick`: klibc's ipconfig, started before the carrier, backs off ten
   * seconds after its first packet fails, so waiting here costs milliseconds and saves those.
   */
  readonly link: { readonly up: number; readonly query: number; readonly tick: number; readonly tries: number; readonly noCarrier: Text };
  readonly client: number;
  readonly argv: number;
  readonly envp: number;
  readonly failed: Text;
  readonly noExec: Text;
  /** The lease file the client writes, and /etc/resolv.conf when it is written. */
  readonly lease: number;
  readonly resolv?: number;
  /** `IPV4DNS0='` and `IPV4DNS1='`: each line's value up to the next `'` is a server. */
  readonly keys: readonly Uint8Array[];
  readonly nameserver: Text;
  readonly newline: Text;
}

/**
 * The init's zeroed memory after its data: a read buffer (the DHCP lease; a watcher's input
 * event), then the watchers' process ids (4 bytes each), then the restart pause (a timespec).
 */
export const BUFFER_SIZE = 4096;
export const BSS = { buffer: 0, watchers: BUFFER_SIZE, pause: BUFFER_SIZE + 64, size: BUFFER_SIZE + 128 } as const;

/** Input devices watched for the power button: /dev/input/event0 to event(N-1). */
export const WATCHED_INPUTS = 6;
/** Seconds a program has after SIGTERM before SIGKILL. */
export const GRACE_SECONDS = 10;
/** The restart pause: 1 s, doubled after each exit, at most this. */
export const MAX_PAUSE_SECONDS = 30;
/** `struct input_event` on 64-bit Linux: a timeval (16 bytes), type, code (16 bits each), value (32). */
export const INPUT_EVENT = { size: 24, type: 16, code: 18, value: 20, EV_KEY: 1, KEY_POWER: 116 } as const;
export const SIG = { KILL: 9, TERM: 15 } as const;

export interface Text {
  readonly address: number;
  readonly length: number;
}

/** An ext4 label as the superblock holds it: its bytes, and a NUL when shorter than 16. */
function labelBytes(label: string): Uint8Array {
  return new TextEncoder().encode(label.length < 16 ? `${label}\0` : label);
}

export function layOut(plan: InitPlan, data: Data): Layout {
  const ext4 = data.cstring("ext4");
  const table = new Uint8Array(DISK_DEVICES.length * DEVICE_RECORD);
  DISK_DEVICES.forEach((d, i) => table.set(new TextEncoder().encode(d), i * DEVICE_RECORD));
  const tableStart = data.block(table, 16);
  const mounts = bootMounts(plan).map((m) => ({
    m,
    source: data.cstring(m.source),
    target: data.cstring(m.target),
    fstype: data.cstring(m.fstype),
    data: m.data === undefined ? 0 : data.cstring(m.data),
    failed: data.text(`mcc: cannot mount ${m.fstype} on ${m.target}\n`),
    ...(m.disk === undefined
      ? {}
      : {
          disk: {
            label: labelBytes(m.disk),
            ext4,
            found: data.text(`mcc: ${m.target} is the disk labelled ${m.disk}\n`),
            missing: data.text(`mcc: no disk labelled ${m.disk}: ${m.target} is in memory and goes at power-off\n`),
            owned: true,
          },
        }),
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
  return {
    mounts,
    devices: { start: tableStart, end: tableStart + table.length },
    debug: {
      dir: data.cstring(DEBUG_DISK.dir),
      flags: MS.RDONLY | MS.NOSUID | MS.NODEV,
      disk: { label: labelBytes(DEBUG_DISK.label), ext4, found: data.text(`mcc: the debugging toolkit's disk is attached: a root shell on the console (${DEBUG_DISK.dir})\n`), owned: false, flag: data.block(new Uint8Array(8), 8) },
      shell: data.cstring(DEBUG_DISK.shell),
      argv: data.pointers([data.cstring(DEBUG_DISK.shell)]),
      envp: data.pointers([]),
      noShell: data.text(`mcc: cannot start the debug shell ${DEBUG_DISK.shell}\n`),
    },
    modules,
    empty: data.cstring(""),
    hostname: data.text(plan.hostname),
    ioctls: networkIoctls(plan, data),
    ...(plan.unprivilegedPortStart === undefined
      ? {}
      : {
          portStart: {
            path: data.cstring("/proc/sys/net/ipv4/ip_unprivileged_port_start"),
            value: data.text(`${plan.unprivilegedPortStart}\n`),
            failed: data.text(`mcc: cannot let the program bind port ${plan.unprivilegedPortStart}\n`),
          },
        }),
    ...(plan.network.kind === "dhcp" ? { dhcp: dhcpLayout(plan, plan.network, data) } : {}),
    supervise: {
      inputs: Array.from({ length: WATCHED_INPUTS }, (_, i) => data.cstring(`/dev/input/event${i}`)),
      grace: data.block(timespec(GRACE_SECONDS), 8),
      powerButton: data.text(`mcc: power button: stopping the program (SIGTERM, SIGKILL after ${GRACE_SECONDS} s)\n`),
      killing: data.text(`mcc: the program did not stop within ${GRACE_SECONDS} s: SIGKILL\n`),
      restarting: data.text("mcc: restarting the program\n"),
      restart: plan.onExit === "restart",
    },
    stageFiles: plan.stageFiles.map((f) => data.cstring(f)),
    stageDirs: plan.stageDirs.map((d) => data.cstring(d)),
    root: data.cstring("/"),
    executable,
    argv,
    envp,
    workdir: data.cstring(plan.workdir),
    uid: id(plan.uid),
    gid: id(plan.gid),
    exitTable: data.block(lines, 8),
    rebootCommand: plan.onExit === "reboot" ? REBOOT.restart : REBOOT.powerOff,
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

/** `struct ifreq`: the name (16 bytes, NUL-padded), then the union (24 bytes). */
function ifreq(name: string, fill: (union: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(40);
  const encoded = new TextEncoder().encode(name);
  if (encoded.length > 15) throw new Error(`an interface name has at most 15 bytes: ${name}`);
  bytes.set(encoded, 0);
  fill(new DataView(bytes.buffer, 16));
  return bytes;
}

/** A `struct sockaddr_in` of an IPv4 address at `at` of `view` (family, port 0, the address in network order). */
function sockaddrIn(view: DataView, at: number, address: string): void {
  view.setUint16(at, AF_INET, true);
  address.split(".").forEach((octet, i) => view.setUint8(at + 4 + i, Number(octet)));
}

function netmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join(".");
}

/**
 * The ioctls that bring the network up: loopback, then for a static address SIOCSIFADDR,
 * SIOCSIFNETMASK, the card up (with multicast, which SIOCSIFFLAGS would otherwise clear) and,
 * with a gateway, the default route (SIOCADDRT: `struct rtentry` as LP64 lays it out, the
 * same on x86-64 and arm64).
 */
function networkIoctls(plan: InitPlan, data: Data): Layout["ioctls"] {
  const out: { request: number; arg: number; failed: Text }[] = [
    { request: SIOCSIFFLAGS, arg: data.block(ifreq("lo", (u) => u.setUint16(0, IFF_UP, true)), 8), failed: data.text("mcc: cannot bring up the loopback interface\n") },
  ];
  const net = plan.network;
  if (net.kind !== "static") return out;
  const on = ` on ${net.interface}`;
  out.push(
    { request: SIOCSIFADDR, arg: data.block(ifreq(net.interface, (u) => sockaddrIn(u, 0, net.address)), 8), failed: data.text(`mcc: cannot set the address ${net.address}${on} (is there such a network card?)\n`) },
    { request: SIOCSIFNETMASK, arg: data.block(ifreq(net.interface, (u) => sockaddrIn(u, 0, netmask(net.prefix))), 8), failed: data.text(`mcc: cannot set the netmask /${net.prefix}${on}\n`) },
    { request: SIOCSIFFLAGS, arg: data.block(ifreq(net.interface, (u) => u.setUint16(0, IFF_UP | IFF_MULTICAST, true)), 8), failed: data.text(`mcc: cannot bring up ${net.interface}\n`) },
  );
  if (net.gateway !== undefined) {
    const device = data.cstring(net.interface);
    const rtentry = new Uint8Array(120);
    const view = new DataView(rtentry.buffer);
    sockaddrIn(view, 8, "0.0.0.0"); // rt_dst
    sockaddrIn(view, 24, net.gateway); // rt_gateway
    sockaddrIn(view, 40, "0.0.0.0"); // rt_genmask
    view.setUint16(56, RTF_UP | RTF_GATEWAY, true); // rt_flags
    view.setBigUint64(88, BigInt(device), true); // rt_dev
    out.push({ request: SIOCADDRT, arg: data.block(rtentry, 8), failed: data.text(`mcc: cannot add the default route via ${net.gateway}\n`) });
  }
  return out;
}

/** The DHCP client's command line (klibc's ipconfig: DHCP on one interface, for `timeout` seconds) and the lease-to-resolv.conf data. */
function dhcpLayout(plan: InitPlan, net: Extract<InitPlan["network"], { kind: "dhcp" }>, data: Data): Dhcp {
  const client = data.cstring(net.client);
  const args = ["ipconfig", "-t", String(net.timeout), "-c", "dhcp", "-d", net.interface].map((a) => data.cstring(a));
  return {
    link: {
      up: data.block(ifreq(net.interface, (u) => u.setUint16(0, IFF_UP | IFF_MULTICAST, true)), 8),
      query: data.block(ifreq(net.interface, () => undefined), 8),
      tick: data.block(timespecNs(CARRIER_TICK_MS * 1_000_000), 8),
      tries: CARRIER_WAIT_MS / CARRIER_TICK_MS,
      noCarrier: data.text(`mcc: no carrier on ${net.interface} after ${CARRIER_WAIT_MS / 1000} s; asking for a lease anyway\n`),
    },
    client,
    argv: data.pointers(args),
    envp: data.pointers([]),
    failed: data.text(`mcc: no DHCP lease on ${net.interface} within ${net.timeout} s; the program starts without an address\n`),
    noExec: data.text(`mcc: cannot run the DHCP client ${net.client}\n`),
    lease: data.cstring(dhcpLeaseFile(net.interface)),
    ...(plan.resolvConf ? { resolv: data.cstring("/etc/resolv.conf") } : {}),
    keys: ["IPV4DNS0='", "IPV4DNS1='"].map((k) => new TextEncoder().encode(k)),
    nameserver: data.text("nameserver "),
    newline: data.text("\n"),
  };
}

/** A `struct timespec` of whole seconds. */
function timespec(seconds: number): Uint8Array {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(0, BigInt(seconds), true);
  return out;
}

/** A `struct timespec` of less than a second. */
function timespecNs(nanoseconds: number): Uint8Array {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setBigUint64(8, BigInt(nanoseconds), true);
  return out;
}

/** How long the init waits for the network card's carrier before the DHCP client, and how often it looks. */
export const CARRIER_WAIT_MS = 5000;
export const CARRIER_TICK_MS = 20;
