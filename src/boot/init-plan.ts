import { DEFAULT_PATH } from "../formats/oci-documents.js";
import type { MountType, Spec, SpecNetwork, SpecPort } from "../types/spec.js";

/** Everything the generated init does, as plain data: a function of the spec alone. */
export interface InitPlan {
  readonly arch: "amd64" | "arm64";
  /** Absolute path of the program to run (the spec's `executable`). */
  readonly executable: string;
  /** Its arguments after argv[0] (argv[0] is the executable's path). */
  readonly args: readonly string[];
  /** Its whole environment, passed as KEY=VALUE in key order. */
  readonly env: Readonly<Record<string, string>>;
  readonly uid: number;
  readonly gid: number;
  readonly workdir: string;
  /** The spec's mounts: volumes and tmpfs become tmpfs owned by uid:gid; config stays the image's directory. */
  readonly mounts: readonly { readonly path: string; readonly type: MountType }[];
  /** When the program has exited: power off, run it again (after a pause), or restart the machine. */
  readonly onExit: "poweroff" | "restart" | "reboot";
  /** Kernel module files in the initramfs, in load order (dependencies first); each is removed once loaded. */
  readonly modules: readonly string[];
  /** The machine's host name (the spec's name). */
  readonly hostname: string;
  /** How the network is set up before the program starts (loopback is always up). */
  readonly network: InitNetwork;
  /** Writes `/etc/resolv.conf` from the DHCP lease (false when the image has its own). */
  readonly resolvConf: boolean;
  /** The lowest port a program not root may bind (the spec's lowest port below 1024), when it needs one. */
  readonly unprivilegedPortStart?: number;
  /** Files of the boot stage besides the modules (the DHCP client and its library), removed once the network is up. */
  readonly stageFiles: readonly string[];
  /** Directories made for the boot stage (BOOT_STAGE_DIR among them), removed after its files, deepest first. */
  readonly stageDirs: readonly string[];
}

/** The network the init sets up: none, a static address, or a DHCP client it runs. */
export type InitNetwork =
  | { readonly kind: "none" }
  | { readonly kind: "static"; readonly interface: string; readonly address: string; readonly prefix: number; readonly gateway?: string }
  | { readonly kind: "dhcp"; readonly interface: string; readonly client: string; readonly timeout: number };

/** The DHCP client's configuration file for an interface (klibc's ipconfig writes it). */
export const dhcpLeaseFile = (iface: string): string => `/run/net-${iface}.conf`;

/** The network of a spec's appliance: as `boot.network` says, else DHCP when it declares ports. Pure. */
export function bootNetwork(spec: { readonly boot?: { readonly network?: SpecNetwork }; readonly ports: readonly SpecPort[] }): SpecNetwork {
  return spec.boot?.network ?? (spec.ports.length > 0 ? { kind: "dhcp", interface: "eth0" } : { kind: "none" });
}

/** The lowest declared port below 1024, when the program runs as a user that may not bind it. Pure. */
export function unprivilegedPortStart(ports: readonly SpecPort[], uid: number): number | undefined {
  const low = ports.map((p) => p.port).filter((p) => p < 1024);
  return uid === 0 || low.length === 0 ? undefined : Math.min(...low);
}

/**
 * The debugging toolkit's disk (`mcc debug --disk`): the label the init looks for, where it
 * mounts it (read-only, a directory of root's only), and the script it starts there as a root
 * shell on the console. Without such a disk, nothing of it exists in the running appliance.
 */
export const DEBUG_DISK = { label: "mcc-debug", dir: "/run/mcc-debug", shell: "/run/mcc-debug/mcc-shell" } as const;

/** Where the initramfs holds what the boot needs before the program starts, and removes then. */
export const BOOT_STAGE_DIR = "/.mcc-boot";

/** One mount(2) call of the init. */
export interface BootMount {
  readonly source: string;
  readonly target: string;
  readonly fstype: string;
  readonly flags: number;
  readonly data?: string;
  /** A volume: the label of the ext4 disk tried first (the path's last name), when it can be one. */
  readonly disk?: string;
}

/** Where the init looks for a volume's disk, in this order: virtio, SCSI/SATA, NVMe, Xen. */
export const DISK_DEVICES: readonly string[] = [
  ..."abcdefgh".split("").map((c) => `/dev/vd${c}`),
  ..."abcd".split("").map((c) => `/dev/sd${c}`),
  ..."0123".split("").map((n) => `/dev/nvme${n}n1`),
  ..."abcd".split("").map((c) => `/dev/xvd${c}`),
];

/** The disk label of a volume at `path`: its last name, when that is a label ext4 can hold (1-16 bytes of [A-Za-z0-9._-]). */
export function volumeLabel(path: string): string | undefined {
  const name = path.split("/").filter(Boolean).pop() ?? "";
  return /^[A-Za-z0-9._-]{1,16}$/.test(name) ? name : undefined;
}

/** mount(2) flags. */
export const MS = { RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, REMOUNT: 32 } as const;

/** The paths the init mounts itself; a spec mount there would be hidden or would hide them. */
const SYSTEM_MOUNTS = ["/proc", "/sys", "/dev"];

/**
 * The init's mounts, in order: proc, sysfs, devtmpfs and a tmpfs on /run, then a tmpfs for
 * each volume and tmpfs mount of the spec (a VM has no volumes to attach, so what the program
 * writes there lives in memory until power-off), owned by the run user and sorted by path so a
 * parent is mounted before what lies under it. A spec mount on /run makes /run itself the run
 * user's, as in the OCI image. Config mounts stay the image's directories. Pure.
 */
export function bootMounts(plan: InitPlan): BootMount[] {
  const owned = `mode=0755,uid=${plan.uid},gid=${plan.gid}`;
  const writable = plan.mounts.filter((m) => m.type !== "config");
  for (const m of plan.mounts) {
    if (SYSTEM_MOUNTS.some((s) => m.path === s || m.path.startsWith(`${s}/`))) throw new Error(`a spec mount at ${m.path} collides with the boot's own ${m.path.split("/").slice(0, 2).join("/")}`);
  }
  const runIsSpecs = writable.some((m) => m.path === "/run");
  const out: BootMount[] = [
    { source: "proc", target: "/proc", fstype: "proc", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC },
    { source: "sysfs", target: "/sys", fstype: "sysfs", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC },
    { source: "devtmpfs", target: "/dev", fstype: "devtmpfs", flags: MS.NOSUID, data: "mode=0755" },
    { source: "tmpfs", target: "/run", fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV, data: runIsSpecs ? owned : "mode=0755" },
  ];
  const rest = writable.filter((m) => m.path !== "/run").sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  for (const m of rest) {
    const disk = m.type === "volume" ? volumeLabel(m.path) : undefined;
    out.push({ source: "tmpfs", target: m.path, fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV, data: owned, ...(disk === undefined ? {} : { disk }) });
  }
  return out;
}

/**
 * The init plan of a spec: the same program, arguments, user and working directory as the
 * OCI image's config, and the same environment (PATH defaulting to the one the OCI config
 * sets when the spec gives none).
 */
/** What of the spec the init runs: the process, its environment, user, directory and mounts. */
export type InitSpec = Pick<Spec, "executable" | "args" | "env" | "user" | "workdir" | "mounts">;

export function initPlanOf(spec: InitSpec, arch: "amd64" | "arm64", onExit: InitPlan["onExit"], boot: Partial<Pick<InitPlan, "modules" | "hostname" | "network" | "resolvConf" | "unprivilegedPortStart" | "stageFiles" | "stageDirs">> = {}): InitPlan {
  return {
    arch,
    executable: spec.executable,
    args: spec.args,
    env: { PATH: DEFAULT_PATH, ...spec.env },
    uid: spec.user.uid,
    gid: spec.user.gid,
    workdir: spec.workdir,
    mounts: spec.mounts,
    onExit,
    modules: boot.modules ?? [],
    hostname: boot.hostname ?? "mcc",
    network: boot.network ?? { kind: "none" },
    resolvConf: boot.resolvConf ?? false,
    ...(boot.unprivilegedPortStart === undefined ? {} : { unprivilegedPortStart: boot.unprivilegedPortStart }),
    stageFiles: boot.stageFiles ?? [],
    stageDirs: boot.stageDirs ?? [],
  };
}
