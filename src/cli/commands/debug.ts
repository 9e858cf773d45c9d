// `mcc debug TARGET [-- CMD...]`: a shell with real tools inside a running microcontainer that
// has none. The toolkit (src/debug/toolkit.ts) is built through the cache like any spec, copied
// into a writable tmpfs of the target that may run programs (its /dev under runc, /run or /tmp
// under podman: the image is never touched and nothing is mounted), entered with nsenter in the
// target's namespaces with its root as `/`, and removed when the shell or command ends. Needs
// root, as entering another container does.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ext4Image, type Ext4Entry } from "../../backends/disk/ext4.js";
import { DEBUG_DISK } from "../../boot/init-plan.js";
import { attachScript, busyboxApplets, DEBUG_TOOLS, diskExtras, launchers, TOOLKIT_TARGETS, toolkitPlace, toolkitSpec } from "../../debug/toolkit.js";
import { DEFAULT_PATH } from "../../formats/oci-documents.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { SourceOptions } from "./common.js";
import { compileCommand } from "./compile.js";
import { writeNewDisk } from "./disk.js";

export interface DebugOptions extends SourceOptions {
  /** The Debian release the toolkit is built from. */
  readonly release?: string;
  /** Where the toolkit is built (its spec, lock and tree); without a target, build it and stop. */
  readonly toolkit?: string;
  /** Write the toolkit as an image here instead (for kubectl debug and --pid=container:X). */
  readonly image?: string;
  /** The image's format (oci, oci-archive, docker-archive) and architectures (comma-separated). */
  readonly format?: string;
  readonly arch?: string;
  /** Write the toolkit as an ext4 disk here, for an appliance (src/boot): its console becomes a root shell. */
  readonly disk?: string;
}

/** The directory of the launchers, in the toolkit where it lands: first on the shell's PATH. */
const LAUNCHERS = "mcc-bin";

/** Namespaces nsenter enters when the target's differs from mcc's own. */
const NAMESPACES: readonly [string, string][] = [
  ["mnt", "-m"],
  ["uts", "-u"],
  ["ipc", "-i"],
  ["net", "-n"],
  ["pid", "-p"],
  ["cgroup", "-C"],
  ["user", "-U"],
];

export async function debugCommand(target: string | undefined, args: readonly string[], options: DebugOptions, io: CliIo): Promise<ExitCode> {
  const arch = io.hostArch;
  if (TOOLKIT_TARGETS[arch] === undefined) {
    io.stderr(`mcc: error: mcc debug has no toolkit for ${arch}\n`);
    return EXIT.usage;
  }
  if (options.image !== undefined) return imageCommand(target, options, io);
  if (options.disk !== undefined) return diskCommand(target, options, io);
  if (options.toolkit === undefined && target === undefined) {
    io.stderr("mcc: error: give the target: a runc container id, a podman container, or a process id (or --toolkit DIR to build the toolkit alone)\n");
    return EXIT.usage;
  }
  let pid: number | undefined;
  if (target !== undefined) {
    // The target first: an unknown or stopped one is said before anything is built.
    if (!io.isRoot) {
      io.stderr("mcc: error: mcc debug enters another container's namespaces and writes into its /dev, which needs root (CAP_SYS_ADMIN and CAP_SYS_PTRACE)\n  hint: run it with sudo\n");
      return EXIT.userError;
    }
    pid = targetPid(target);
    if (pid === undefined) {
      io.stderr(`mcc: error: no running container or process is ${target} (a runc container id, a podman container name or id, or a process id)\n`);
      return EXIT.userError;
    }
  }

  const built = await buildToolkit(arch, options, io);
  if (typeof built !== "string") return built;
  const toolkit = built;
  if (pid === undefined) {
    io.stderr(`mcc debug: the toolkit is in ${toolkit}\n`);
    return EXIT.ok;
  }

  // Into a writable tmpfs of the target whose programs may run (its /dev under runc, /run or
  // /tmp under podman), under a name of its own; the launchers written for that place.
  let place: string | undefined;
  try {
    place = toolkitPlace(readFileSync(`/proc/${pid}/mountinfo`, "utf8"));
  } catch {
    place = undefined;
  }
  if (place === undefined) {
    io.stderr(`mcc: error: ${target} has no writable tmpfs that may run programs (/dev, /run, /tmp, /var/tmp, /dev/shm are missing, read-only or noexec) to put the toolkit in\n`);
    return EXIT.userError;
  }
  const name = `.mcc-debug-${randomBytes(4).toString("hex")}`;
  const inside = `${place}/${name}`;
  const host = `/proc/${pid}/root${inside}`;
  try {
    cpSync(toolkit, host, { recursive: true, verbatimSymlinks: true });
    const applets = spawnSync(join(toolkit, "usr", "bin", "busybox"), ["--list"], { encoding: "utf8", timeout: 30_000 }).stdout.split("\n").filter(Boolean);
    const made = launchers(inside, arch, applets);
    // Their own directory: the toolkit's /bin is a link to usr/bin, where the tools are.
    mkdirSync(join(host, LAUNCHERS));
    for (const link of made.links) symlinkSync(link.target, join(host, LAUNCHERS, link.name));
    for (const script of made.scripts) {
      writeFileSync(join(host, LAUNCHERS, script.name), script.content);
      chmodSync(join(host, LAUNCHERS, script.name), 0o755);
    }
  } catch (error) {
    rmSync(host, { recursive: true, force: true });
    io.stderr(`mcc: error: the toolkit cannot be put into ${target}'s ${place}: ${(error as Error).message}\n  hint: it may be full (the toolkit takes about 30 MB)\n`);
    return EXIT.userError;
  }
  try {
    const flags = NAMESPACES.filter(([ns]) => differs(pid as number, ns)).map(([, flag]) => flag);
    const shell = `${inside}/usr/bin/busybox`;
    const command = args.length === 0 ? [shell, "sh"] : [shell, "sh", "-c", 'exec "$@"', "sh", ...args];
    const env = { PATH: `${inside}/${LAUNCHERS}:${DEFAULT_PATH}`, HOME: "/", TERM: io.env["TERM"] ?? "dumb", PS1: "mcc-debug:\\w# ", MCC_DEBUG: inside };
    return await new Promise<ExitCode>((done) => {
      const child = spawn("nsenter", ["-t", String(pid), ...flags, "-r", "-w", "--", ...command], { stdio: "inherit", env });
      child.on("error", (error) => {
        io.stderr(`mcc: error: nsenter cannot start: ${error.message}\n  hint: install util-linux\n`);
        done(EXIT.usage);
      });
      child.on("close", (code, signal) => done((code ?? (signal === null ? 1 : 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 2))) as ExitCode));
    });
  } finally {
    // Gone when the operator leaves (and with the target, if it stopped meanwhile).
    rmSync(host, { recursive: true, force: true });
  }
}

/** The toolkit's directory: `--toolkit`, or `$XDG_DATA_HOME/mcc/debug/NAME` (outputs never live in the cache). */
function toolkitDir(options: DebugOptions, io: CliIo, name: string): string {
  const dataHome = io.env["XDG_DATA_HOME"] || join(io.env["HOME"] ?? "/root", ".local", "share");
  const dir = resolve(io.cwd, options.toolkit ?? join(dataHome, "mcc", "debug", name));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The toolkit of one architecture, built through the cache (unchanged inputs rebuild nothing)
 * into its directory: its spec, lock and tree. The tree's path, or the exit code of a failure.
 */
async function buildToolkit(arch: string, options: DebugOptions, io: CliIo): Promise<string | ExitCode> {
  const release = options.release ?? "bookworm";
  const dir = toolkitDir(options, io, `${release}-${arch}`);
  const spec = join(dir, "toolkit.yml");
  writeFileSync(spec, toolkitSpec(release, [arch]));
  const toolkit = join(dir, "rootfs");
  const { image: _image, disk: _disk, format: _format, ...rest } = options;
  const built = await compileCommand(spec, { ...rest, format: "rootfs", output: toolkit, arch, quiet: true, force: true }, io);
  return built === EXIT.ok ? toolkit : built;
}

/**
 * `mcc debug --image PATH`: the toolkit as an image whose entrypoint, mcc-attach, enters the
 * target whose process namespace it shares, for kubectl debug --target and docker or podman run
 * --pid=container:NAME. Its spec, lock and helper are kept in the toolkit directory.
 */
async function imageCommand(target: string | undefined, options: DebugOptions, io: CliIo): Promise<ExitCode> {
  if (target !== undefined) {
    io.stderr("mcc: error: --image writes the toolkit as an image and takes no target\n  hint: run the image beside the target: kubectl debug -it POD --image=IMAGE --target=CONTAINER\n");
    return EXIT.usage;
  }
  const format = options.format ?? "oci";
  if (!["oci", "oci-archive", "docker-archive"].includes(format)) {
    io.stderr(`mcc: error: --image writes oci, oci-archive or docker-archive, not ${format}\n`);
    return EXIT.usage;
  }
  const archs = (options.arch ?? io.hostArch).split(",").map((a) => a.trim());
  const unknown = archs.find((a) => TOOLKIT_TARGETS[a] === undefined);
  if (unknown !== undefined) {
    io.stderr(`mcc: error: mcc debug has no toolkit for ${unknown} (it has ${Object.keys(TOOLKIT_TARGETS).join(", ")})\n`);
    return EXIT.usage;
  }
  const release = options.release ?? "bookworm";
  const dir = toolkitDir(options, io, `${release}-image-${archs.join("-")}`);
  writeFileSync(join(dir, "mcc-attach"), attachScript());
  const spec = join(dir, "toolkit.yml");
  writeFileSync(spec, toolkitSpec(release, archs, true));
  const { arch: _arch, toolkit: _toolkit, image, ...rest } = options;
  return compileCommand(spec, { ...rest, format, output: resolve(io.cwd, image as string) }, io);
}

/**
 * `mcc debug --disk FILE`: the toolkit as an ext4 disk labelled mcc-debug, for an appliance
 * (docs/debug.md). The appliance's init mounts a disk of that label read-only at /run/mcc-debug
 * and starts its `mcc-shell` as a root shell on the console beside the program; the image
 * itself never holds the toolkit. One architecture (`--arch`, the host's by default).
 */
async function diskCommand(target: string | undefined, options: DebugOptions, io: CliIo): Promise<ExitCode> {
  if (target !== undefined) {
    io.stderr("mcc: error: --disk writes the toolkit as a disk for an appliance and takes no target\n  hint: attach the disk to the appliance's virtual machine and boot it: its console becomes a root shell\n");
    return EXIT.usage;
  }
  const arch = options.arch ?? io.hostArch;
  if (TOOLKIT_TARGETS[arch] === undefined) {
    io.stderr(`mcc: error: --disk writes the toolkit for one architecture (${Object.keys(TOOLKIT_TARGETS).join(" or ")}), not ${arch}\n`);
    return EXIT.usage;
  }
  const file = resolve(io.cwd, options.disk as string);
  if (existsSync(file)) {
    io.stderr(`mcc: error: ${options.disk} already exists; mcc writes a new disk and leaves that one as it is\n  hint: remove it or name another file\n`);
    return EXIT.userError;
  }
  const built = await buildToolkit(arch, options, io);
  if (typeof built !== "string") return built;
  const toolkit = built;

  // The tree as it is (one owner, root: the appliance's shell runs as root), then the launchers
  // and the shell, written for the place the init mounts the disk.
  const entries: Ext4Entry[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(toolkit, relative)).sort()) {
      const path = `${relative}/${name}`;
      const full = join(toolkit, path);
      const stat = lstatSync(full);
      const mode = stat.mode & 0o7777;
      if (stat.isDirectory()) {
        entries.push({ path, kind: "dir", mode, uid: 0, gid: 0 });
        walk(path);
      } else if (stat.isSymbolicLink()) entries.push({ path, kind: "symlink", target: readlinkSync(full), mode: 0o777, uid: 0, gid: 0 });
      else if (stat.isFile()) entries.push({ path, kind: "file", data: readFileSync(full), mode, uid: 0, gid: 0 });
    }
  };
  walk("");
  const applets = busyboxApplets(readFileSync(join(toolkit, "usr", "bin", "busybox")));
  for (const extra of diskExtras(DEBUG_DISK.dir, arch, applets)) {
    if (extra.kind === "dir") entries.push({ path: `/${extra.path}`, kind: "dir", mode: 0o755, uid: 0, gid: 0 });
    else if (extra.kind === "symlink") entries.push({ path: `/${extra.path}`, kind: "symlink", target: extra.target, mode: 0o777, uid: 0, gid: 0 });
    else entries.push({ path: `/${extra.path}`, kind: "file", data: Buffer.from(extra.content), mode: 0o755, uid: 0, gid: 0 });
  }
  // Room for the metadata (inodes, directories, extent blocks) beside the data, in whole MiB.
  const data = entries.reduce((sum, e) => sum + (e.kind === "file" ? Math.ceil(e.data.length / 4096) * 4096 : 4096), 0);
  const MiB = 1024 ** 2;
  const bytes = Math.max(8 * MiB, Math.ceil((data * 1.2 + 4 * MiB) / MiB) * MiB);
  const failed = writeNewDisk(io.host, file, ext4Image({ bytes, label: DEBUG_DISK.label, entries }));
  if (failed !== undefined) {
    io.stderr(`mcc: error: cannot write ${options.disk}: ${failed}\n`);
    return EXIT.userError;
  }
  io.stdout(
    `${options.disk}: the debugging toolkit for ${arch} appliances (busybox, ${applets.length} applets, and ${DEBUG_TOOLS.map((t) => t.name).join(", ")}), ext4 labelled ${DEBUG_DISK.label}, ${bytes / MiB} MiB\n` +
      `  attach it as a second disk (qemu: -drive file=${options.disk},if=virtio,format=raw,readonly=on) and boot: the console becomes a root shell beside the program\n`,
  );
  return EXIT.ok;
}

/** Whether the target's namespace of a kind is another than mcc's own. */
function differs(pid: number, ns: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/${ns}`) !== readlinkSync(`/proc/self/ns/${ns}`);
  } catch {
    return false;
  }
}

/** The process of a target: a PID, a runc container id, or a podman container. */
function targetPid(target: string): number | undefined {
  const alive = (pid: number) => Number.isSafeInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/root`);
  if (/^\d+$/.test(target)) return alive(Number(target)) ? Number(target) : undefined;
  const runc = spawnSync("runc", ["state", target], { encoding: "utf8", timeout: 30_000 });
  if (runc.status === 0) {
    try {
      const state = JSON.parse(runc.stdout) as { pid?: number; status?: string };
      if (state.status === "running" && state.pid !== undefined && alive(state.pid)) return state.pid;
    } catch {
      // not runc's
    }
  }
  const podman = spawnSync("podman", ["inspect", "--type", "container", "--format", "{{.State.Pid}}", target], { encoding: "utf8", timeout: 60_000 });
  if (podman.status === 0) {
    const pid = Number(podman.stdout.trim());
    if (alive(pid)) return pid;
  }
  return undefined;
}
