import type { ConfigStart } from "../formats/oci-documents.js";
import type { ImageRunConfig } from "../inspect/read-image.js";
import type { VirtualRoot } from "../trace/vroot.js";
import type { Arch, Spec, SpecMount, SpecPort, SpecUser } from "../types/spec.js";
import { DEFAULTS } from "../validate/defaults.js";
import { normalizeSpec } from "../validate/normalize.js";
import { parsePort } from "../validate/semantic.js";
import { imageStart, type StartProblem } from "./image-start.js";

/** What the command line of `mcc minify` sets; each wins over the spec file and the image. */
export interface MinifyFlags {
  readonly name?: string;
  readonly tag?: string;
  readonly executable?: string;
  readonly args?: readonly string[];
  readonly user?: string;
}

/** A `--spec` file: its validated spec and the top-level fields it really wrote. */
export interface GivenSpec {
  readonly spec: Spec;
  readonly keys: ReadonlySet<string>;
  /** For each of the spec's outputs, whether it wrote a path (else it is `out/<name>...`). */
  readonly outputPaths: readonly boolean[];
}

export interface MinifySpecInput {
  /** The name when neither a flag nor the spec gives one (from the image's file name). */
  readonly defaultName: string;
  readonly arch: Arch;
  readonly config: ImageRunConfig | null | undefined;
  readonly root: VirtualRoot;
  /** The release codename of the image's os-release (for the os-release rule). */
  readonly release: string;
  /** The image's /etc/passwd and /etc/group, to find a user given by name. */
  readonly passwd?: string;
  readonly group?: string;
  readonly given?: GivenSpec;
  readonly flags: MinifyFlags;
}

export type MinifySpecProblem = StartProblem | { readonly kind: "unknown-user"; readonly user: string };

/**
 * The spec mcc builds the microcontainer from: the program and its arguments, Env, User,
 * WorkingDir, Labels, ExposedPorts and Volumes of the image; the spec file's fields where it
 * writes them (its env and labels merge over the image's, its ports and mounts add to them);
 * flags over both. What the image does not say takes mcc's defaults (user 65532, /write, the
 * /run, /write and /read mounts). Pure.
 */
export function minifySpec(input: MinifySpecInput): { spec: Spec; start: ConfigStart } | { problem: MinifySpecProblem } {
  const { config, given, flags } = input;
  const has = (key: string) => given?.keys.has(key) === true;
  const chosen = chooseStart(input);
  if ("kind" in chosen) return { problem: chosen };
  const userText = flags.user ?? (has("user") ? undefined : config?.User || undefined);
  const user = userText === undefined ? (given?.spec.user ?? DEFAULTS.user) : resolveUser(userText, input.passwd, input.group);
  if (user === undefined) return { problem: { kind: "unknown-user", user: userText ?? "" } };
  const name = flags.name ?? (has("name") ? given?.spec.name : undefined) ?? input.defaultName;
  const base = given?.spec ?? normalizeSpec({ name, packages: ["image"], executable: chosen.executable }, { defaultArch: input.arch });
  const env: Record<string, string> = {};
  for (const entry of config?.Env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  Object.assign(env, given?.spec.env ?? {});
  const ports = new Map<string, SpecPort>();
  for (const key of Object.keys(config?.ExposedPorts ?? {})) {
    const port = parsePort(key);
    if (port !== undefined) ports.set(`${port.port}/${port.protocol}`, port);
  }
  for (const p of given?.spec.ports ?? []) ports.set(`${p.port}/${p.protocol}`, p);
  const mounts: SpecMount[] = [...base.mounts];
  for (const path of Object.keys(config?.Volumes ?? {}).sort()) {
    if (path.startsWith("/") && !mounts.some((m) => m.path === path)) mounts.push({ path, type: "volume" });
  }
  const spec: Spec = {
    ...base,
    name,
    tag: flags.tag ?? base.tag,
    from: { ...base.from, release: input.release, archs: [input.arch] },
    packages: [],
    executable: chosen.executable,
    args: [...chosen.entrypoint.slice(1), ...chosen.cmd],
    env: sorted(env),
    user,
    workdir: has("workdir") ? base.workdir : config?.WorkingDir || base.workdir,
    mounts,
    ports: [...ports.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1)),
    labels: sorted({ ...(config?.Labels ?? {}), ...(given?.spec.labels ?? {}) }),
  };
  return { spec, start: { entrypoint: chosen.entrypoint, cmd: chosen.cmd } };
}

/**
 * The program and arguments: `--executable` (or the spec's `executable`) replaces the image's
 * Entrypoint and Cmd, as `docker run --entrypoint` does, with `--args` (or the spec's `args`)
 * as its Cmd; otherwise the image's own, with `--args` replacing only its Cmd.
 */
function chooseStart(input: MinifySpecInput): (ConfigStart & { executable: string }) | StartProblem {
  const { config, given, flags } = input;
  const has = (key: string) => given?.keys.has(key) === true;
  const args = flags.args ?? (has("args") ? given?.spec.args : undefined);
  const program = flags.executable ?? (has("executable") ? given?.spec.executable : undefined);
  if (program !== undefined) {
    // A bare name is looked up in the image's PATH, as the image's own Entrypoint would be.
    const found = imageStart({ Entrypoint: [program], Env: config?.Env ?? null, WorkingDir: config?.WorkingDir ?? "/" }, input.root);
    if ("kind" in found) return found;
    return { executable: found.executable, entrypoint: [found.executable], cmd: [...(args ?? [])] };
  }
  const found = imageStart(config, input.root);
  if ("kind" in found) return found;
  return { executable: found.executable, entrypoint: [found.executable, ...found.entrypointArgs], cmd: [...(args ?? found.cmd)] };
}

/**
 * An image's User (`uid`, `uid:gid`, `name`, `name:group`) as a spec user: names are looked
 * up in the image's /etc/passwd and /etc/group, as the runtime would; undefined when a name
 * is in neither.
 */
export function resolveUser(text: string, passwd = "", group = ""): SpecUser | undefined {
  const [who = "", grp] = text.split(":", 2);
  const users = table(passwd);
  const groups = table(group);
  const byName = users.find((u) => u[0] === who);
  const byUid = users.find((u) => u[2] === who);
  let uid: number;
  let name: string;
  let gid: number;
  if (/^[0-9]+$/.test(who)) {
    uid = Number(who);
    name = byUid?.[0] ?? (uid === 0 ? "root" : DEFAULTS.user.name);
    gid = byUid?.[3] !== undefined ? Number(byUid[3]) : uid;
  } else if (byName !== undefined) {
    uid = Number(byName[2]);
    name = who;
    gid = Number(byName[3]);
  } else return undefined;
  if (grp !== undefined && grp !== "") {
    if (/^[0-9]+$/.test(grp)) gid = Number(grp);
    else {
      const g = groups.find((row) => row[0] === grp);
      if (g === undefined) return undefined;
      gid = Number(g[2]);
    }
  }
  return { name, uid, gid };
}

function table(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) Object.defineProperty(out, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  return out;
}

/** `PRETTY_NAME`-free facts of an os-release file: its codename, when it says one. */
export function releaseCodename(osRelease: string | undefined): string | undefined {
  const m = /^VERSION_CODENAME=["']?([a-z0-9.-]+)["']?\s*$/m.exec(osRelease ?? "");
  return m?.[1];
}
