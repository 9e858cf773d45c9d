// `mcc run SPEC|IMAGE [-- ARGS]`: build when needed (through the cache, as compile does) and
// run the microcontainer as its spec says, with podman or runc; a bootable spec boots in qemu
// with its console on the terminal. The exit code is the program's.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, chownSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { bootExitStatus, containerPlan, podmanRunArgv, qemuArgv, runcConfig } from "../../run/run-plan.js";
import type { Spec } from "../../types/spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { bindsOf, loadOrReport, type SourceOptions } from "./common.js";
import { compileCommand } from "./compile.js";

export interface RunOptions extends SourceOptions {
  readonly runtime?: "podman" | "runc";
  readonly boot?: boolean;
  /** Boot with KVM instead of software emulation. */
  readonly kvm?: boolean;
  /** `PATH=DIR`, repeatable: a host directory for a volume or config mount. */
  readonly mount?: readonly string[];
  /** podman's `--ulimit` values, passed on. */
  readonly ulimit?: readonly string[];
}

const SPEC_FILE = /\.(ya?ml|mcc)$/;

export async function runCommand(target: string, args: readonly string[], options: RunOptions, io: CliIo): Promise<ExitCode> {
  const binds = bindsOf("--mount", options.mount ?? [], "the mount's path in the image", io);
  if (binds === undefined) return EXIT.usage;
  const podman = onPath("podman", io.env);
  if (!SPEC_FILE.test(target)) return runImage(target, args, options, podman, io);

  const loaded = await loadOrReport(target, io);
  if (loaded === undefined) return EXIT.userError;
  const spec = loaded.spec;
  for (const path of binds.keys()) {
    const mount = spec.mounts.find((m) => m.path === path);
    if (mount === undefined || mount.type === "tmpfs") {
      io.stderr(`mcc: error: --mount ${path}=...: the spec has no volume or config mount at ${path} (it has ${spec.mounts.map((m) => `${m.path} (${m.type})`).join(", ") || "none"})\n`);
      return EXIT.usage;
    }
  }
  // What mcc run makes lives under .mcc/ in the current directory: the image it builds (not in
  // the cache, which holds no outputs) and the volumes' data.
  const place = resolve(io.cwd, ".mcc", "run", `${spec.name}-${io.hostArch}`);
  mkdirSync(place, { recursive: true });
  const build = (format: string, output: string) => compileCommand(target, { ...options, format, output, arch: io.hostArch, quiet: true, force: true }, io);

  const boots = options.boot === true || spec.outputs.every((o) => o.format === "iso");
  if (boots) {
    if (args.length > 0) {
      io.stderr("mcc: error: arguments after -- replace a container's args; a booted image runs the spec's args (change them in the spec)\n");
      return EXIT.usage;
    }
    const iso = join(place, "image.iso");
    const built = await build("iso", iso);
    if (built !== EXIT.ok) return built;
    return boot(iso, options.kvm === true, io);
  }

  const volumeDir = (path: string) => join(resolve(io.cwd, ".mcc", "volumes", spec.name), path.replace(/^\/+/, "").replace(/\//g, "-") || "root");
  const plan = containerPlan(spec, { ...(args.length > 0 ? { args } : {}), binds, volumeDir });
  for (const m of plan.mounts) if (m.kind === "bind" && m.owned) mkdirSync(m.source, { recursive: true });

  const runtime = options.runtime ?? (podman ? "podman" : io.isRoot && onPath("runc", io.env) ? "runc" : undefined);
  if (runtime === undefined) {
    io.stderr("mcc: error: mcc run needs podman, or runc as root; neither is here\n  hint: install podman (Debian package podman)\n");
    return EXIT.usage;
  }
  if (runtime === "podman") {
    const archive = join(place, "image.oci.tar");
    const built = await build("oci-archive", archive);
    if (built !== EXIT.ok) return built;
    const load = spawnSync("podman", ["load", "-q", "-i", archive], { encoding: "utf8", timeout: 10 * 60_000 });
    if (load.status !== 0) {
      io.stderr(`mcc: error: podman load -i ${archive} failed: ${load.stderr.trim()}\n`);
      return EXIT.userError;
    }
    return await launch("podman", podmanRunArgv(plan, `localhost/${spec.name}:${spec.tag}`, { interactive: process.stdin.isTTY === true, limits: options.ulimit ?? [] }));
  }
  return runWithRunc(spec, plan, place, build, io);
}

/** An image mcc or another tool wrote (an OCI layout, an oci-archive, a docker-archive), run with podman as it is. */
async function runImage(target: string, args: readonly string[], options: RunOptions, podman: boolean, io: CliIo): Promise<ExitCode> {
  if (!podman || options.runtime === "runc") {
    io.stderr(`mcc: error: running an image (${target}) needs podman; with runc, give the spec, which mcc builds as a root file system\n`);
    return EXIT.usage;
  }
  const path = resolve(io.cwd, target);
  let ref: string;
  try {
    accessSync(join(path, "index.json"));
    ref = `oci:${path}`;
  } catch {
    // An archive: podman load tells an oci-archive from a docker-archive itself, and names what it loaded.
    const load = spawnSync("podman", ["load", "-q", "-i", path], { encoding: "utf8", timeout: 10 * 60_000 });
    const loaded = /^Loaded image(?:\(s\))?: (\S+)/m.exec(load.stdout)?.[1];
    if (load.status !== 0 || loaded === undefined) {
      io.stderr(`mcc: error: podman load -i ${target} failed: ${load.stderr.trim() || load.stdout.trim()}\n`);
      return EXIT.userError;
    }
    ref = loaded;
  }
  const argv = ["run", "--rm", "--read-only", "--tmpfs", "/run:U,mode=0755", ...(options.ulimit ?? []).flatMap((l) => ["--ulimit", l]), ...(process.stdin.isTTY ? ["-it"] : []), ref, ...args];
  return launch("podman", argv);
}

/** The root file system in the cache, runc's default config made the spec's, `runc run`, then the container deleted. */
async function runWithRunc(spec: Spec, plan: ReturnType<typeof containerPlan>, place: string, build: (format: string, output: string) => Promise<ExitCode>, io: CliIo): Promise<ExitCode> {
  const rootfs = join(place, "rootfs");
  const built = await build("rootfs", rootfs);
  if (built !== EXIT.ok) return built;
  for (const m of plan.mounts) if (m.kind === "bind" && m.owned) chownSync(m.source, plan.uid, plan.gid);
  const bundle = join(place, "bundle");
  mkdirSync(bundle, { recursive: true });
  const defaults = spawnSync("runc", ["spec", "--bundle", bundle], { encoding: "utf8", timeout: 60_000 });
  if (defaults.status !== 0 && !/exists/.test(defaults.stderr)) {
    io.stderr(`mcc: error: runc spec failed: ${defaults.stderr.trim()}\n`);
    return EXIT.userError;
  }
  const configPath = join(bundle, "config.json");
  const config = runcConfig(JSON.parse(readFileSync(configPath, "utf8")), plan, { rootfs, hostname: spec.name, terminal: process.stdin.isTTY === true });
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const id = `mcc-${spec.name}-${process.pid}`;
  try {
    return await launch("runc", ["run", "--bundle", bundle, id]);
  } finally {
    spawnSync("runc", ["delete", "--force", id], { stdio: "ignore", timeout: 30_000 });
  }
}

/**
 * Boots an ISO in qemu, its console on the terminal; the exit status is the one the image's
 * init printed. Software emulation unless `--kvm`: a /dev/kvm that is there may still fail
 * (nested virtualisation), and emulation always works, in seconds for a microcontainer.
 */
async function boot(iso: string, kvm: boolean, io: CliIo): Promise<ExitCode> {
  if (!onPath("qemu-system-x86_64", io.env)) {
    io.stderr("mcc: error: booting needs qemu-system-x86_64 (Debian package qemu-system-x86)\n");
    return EXIT.usage;
  }
  let console = "";
  const child = spawn("qemu-system-x86_64", qemuArgv(iso, { kvm, memoryMiB: 512 }), { stdio: ["inherit", "pipe", "inherit"] });
  child.stdout.on("data", (chunk: Buffer) => {
    console += chunk.toString("latin1");
    if (console.length > 1 << 20) console = console.slice(-(1 << 16));
    io.stdout(chunk.toString("utf8"));
  });
  const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
  const status = bootExitStatus(console.replace(/\r/g, ""));
  if (status !== undefined) return status as ExitCode;
  io.stderr(`mcc: error: the machine stopped (qemu exit ${code ?? "by signal"}) without saying the program's exit status\n`);
  return EXIT.userError;
}

/** Runs a command with the terminal's standard streams; its exit code (128+N for a signal). */
function launch(command: string, argv: readonly string[]): Promise<ExitCode> {
  return new Promise((done) => {
    const child = spawn(command, argv, { stdio: "inherit" });
    child.on("error", () => done(EXIT.usage));
    child.on("close", (code, signal) => done((code ?? 128 + (signal === null ? 0 : signalNumber(signal))) as ExitCode));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

/** Whether a command is on the PATH. */
function onPath(command: string, env: Readonly<Record<string, string | undefined>>): boolean {
  for (const dir of (env["PATH"] ?? "/usr/bin:/bin").split(":")) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}
