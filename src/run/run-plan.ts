// How `mcc run` starts a microcontainer, as data: the process, its mounts made real, and the
// command lines of podman, runc's config and qemu that carry it. Pure.
import type { Spec } from "../types/spec.js";
import { imageEnv } from "../formats/oci-documents.js";

/** One mount of the running container. */
export type RunMount =
  /** A tmpfs owned by the user (the spec's `tmpfs` mounts: `/run`). */
  | { readonly kind: "tmpfs"; readonly path: string }
  /** A host directory bound at `path`: a `volume` (writable) or a `config` mount given on the command line (read-only). */
  | { readonly kind: "bind"; readonly path: string; readonly source: string; readonly readOnly: boolean; readonly owned: boolean };

/** The microcontainer as it runs: read-only root, the spec's user, its mounts. */
export interface ContainerPlan {
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly uid: number;
  readonly gid: number;
  readonly mounts: readonly RunMount[];
  readonly ports: readonly { readonly port: number; readonly protocol: string }[];
}

export interface RunChoices {
  /** Arguments after `--`: they replace the spec's `args`. */
  readonly args?: readonly string[];
  /** `--mount PATH=DIR`: a host directory for a `volume` or `config` mount of the spec. */
  readonly binds: ReadonlyMap<string, string>;
  /** The directory mcc keeps a `volume` mount's data in when none is given (made by mcc, owned by the user). */
  readonly volumeDir: (path: string) => string;
}

/**
 * The spec's contract made real: `tmpfs` mounts are fresh tmpfs owned by the user; `volume`
 * mounts are a directory given with `--mount`, or one mcc keeps for the spec (data survives
 * runs); `config` mounts are read-only binds of a directory given with `--mount`, else what the
 * image holds there. Everything else is the read-only image.
 */
export function containerPlan(spec: Pick<Spec, "executable" | "args" | "env" | "user" | "workdir" | "mounts" | "ports">, choices: RunChoices): ContainerPlan {
  const mounts: RunMount[] = [];
  for (const m of spec.mounts) {
    const given = choices.binds.get(m.path);
    if (m.type === "tmpfs") mounts.push({ kind: "tmpfs", path: m.path });
    else if (m.type === "volume") mounts.push({ kind: "bind", path: m.path, source: given ?? choices.volumeDir(m.path), readOnly: false, owned: given === undefined });
    else if (given !== undefined) mounts.push({ kind: "bind", path: m.path, source: given, readOnly: true, owned: false });
  }
  return {
    argv: [spec.executable, ...(choices.args ?? spec.args)],
    // As the image's config gives it, so runc runs the program as podman would.
    env: imageEnv(spec.env),
    cwd: spec.workdir,
    uid: spec.user.uid,
    gid: spec.user.gid,
    mounts,
    ports: spec.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
  };
}

/**
 * `podman run` for an image podman has: read-only root, the user, the mounts, the ports
 * published on loopback, the program's arguments. `limits` are podman's `--ulimit` options.
 */
export function podmanRunArgv(plan: ContainerPlan, image: string, options: { interactive: boolean; limits: readonly string[] }): string[] {
  const argv = ["run", "--rm", "--read-only", "--user", `${plan.uid}:${plan.gid}`, "--workdir", plan.cwd, "--entrypoint", plan.argv[0] as string];
  if (options.interactive) argv.push("-it");
  for (const l of options.limits) argv.push("--ulimit", l);
  for (const m of plan.mounts) {
    if (m.kind === "tmpfs") argv.push("--tmpfs", `${m.path}:U,mode=0755`);
    else argv.push("--volume", `${m.source}:${m.path}:${m.readOnly ? "ro" : "rw"}${m.owned ? ",U" : ""}`);
  }
  for (const p of plan.ports) argv.push("--publish", `127.0.0.1:${p.port}:${p.port}/${p.protocol}`);
  for (const e of plan.env) argv.push("--env", e);
  argv.push(image, ...plan.argv.slice(1));
  return argv;
}

/** The parts of a runtime config (`runc spec`'s) that `mcc run` sets. */
interface RuntimeConfig {
  process: { terminal: boolean; args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number; additionalGids?: number[] } };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: { destination: string; type: string; source: string; options: string[] }[];
  linux: { namespaces: { type: string }[] };
}

/**
 * `runc spec`'s default config with the plan applied: the process, a read-only root at
 * `rootfs`, the tmpfs and bind mounts; the host's network (a port is then the host's port,
 * as podman's published ones are on loopback).
 */
export function runcConfig(defaults: unknown, plan: ContainerPlan, options: { rootfs: string; hostname: string; terminal: boolean }): unknown {
  const config = structuredClone(defaults) as RuntimeConfig;
  config.process = { ...config.process, terminal: options.terminal, args: [...plan.argv], env: [...plan.env], cwd: plan.cwd, user: { uid: plan.uid, gid: plan.gid } };
  config.root = { path: options.rootfs, readonly: true };
  config.hostname = options.hostname;
  const planned = new Set(plan.mounts.map((m) => m.path));
  config.mounts = config.mounts.filter((m) => !planned.has(m.destination));
  for (const m of plan.mounts) {
    if (m.kind === "tmpfs") config.mounts.push({ destination: m.path, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=0755", `uid=${plan.uid}`, `gid=${plan.gid}`] });
    else config.mounts.push({ destination: m.path, type: "bind", source: m.source, options: ["rbind", m.readOnly ? "ro" : "rw"] });
  }
  config.linux.namespaces = config.linux.namespaces.filter((n) => n.type !== "network");
  return config;
}

/** qemu for a bootable image: the console on the terminal, software emulation unless KVM is there. */
export function qemuArgv(iso: string, options: { kvm: boolean; memoryMiB: number }): string[] {
  return ["-nographic", "-no-reboot", "-accel", options.kvm ? "kvm" : "tcg", "-m", String(options.memoryMiB), "-nodefaults", "-serial", "stdio", "-monitor", "none", "-drive", `file=${iso},media=cdrom,readonly=on,format=raw`, "-boot", "d"];
}

/** The exit status the image's init prints before it powers off (`mcc: exit status N`), if it did. */
export function bootExitStatus(console: string): number | undefined {
  const found = [...console.matchAll(/^mcc: exit status (\d+)\r?$/gm)].pop();
  return found === undefined ? undefined : Number(found[1]);
}
