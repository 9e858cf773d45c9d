import type { Arch, SpecDocument } from "../types/spec.js";
import type { OutputFormat, Spec, SpecFile, SpecMount, SpecNetwork, SpecOutput, SpecPackage, SpecUser } from "../types/spec.js";
import { isLocalPackage, splitPackageRef } from "../debian/package-ref.js";
import { DEFAULTS, defaultOutputPath } from "./defaults.js";
import { parsePort } from "./semantic.js";

export interface NormalizeOptions {
  /** The architecture built when the spec names none (the host's). */
  readonly defaultArch: Arch;
}

/** Applies every default to a spec that passed the schema and semantic checks. Pure. */
export function normalizeSpec(doc: SpecDocument, options: NormalizeOptions): Spec {
  const outputs = doc.output === undefined ? [{ format: "oci" as const }] : Array.isArray(doc.output) ? doc.output : [doc.output];
  return {
    version: 1,
    name: doc.name,
    tag: doc.tag ?? DEFAULTS.tag,
    from: {
      distro: doc.from?.distro ?? DEFAULTS.distro,
      release: doc.from?.release ?? DEFAULTS.release,
      archs: doc.from?.archs ?? [options.defaultArch],
      ...(doc.from?.mirror === undefined ? {} : { mirror: doc.from.mirror }),
      components: doc.from?.components ?? DEFAULTS.components,
      ...(doc.from?.keyring === undefined ? {} : { keyring: doc.from.keyring }),
      infer: doc.from?.infer ?? true,
    },
    packages: doc.packages.map((ref): SpecPackage => {
      if (isLocalPackage(ref)) return { deb: ref };
      const { name, version } = splitPackageRef(ref);
      return version === undefined ? { name } : { name, version };
    }),
    executable: doc.executable,
    args: doc.args ?? [],
    env: sortedRecord(doc.env ?? {}),
    user: normalizeUser(doc.user),
    workdir: doc.workdir ?? DEFAULTS.workdir,
    mounts: (doc.mounts ?? DEFAULTS.mounts).map((m): SpecMount => ({ path: m.path, type: m.type })),
    include: doc.include ?? [],
    exclude: doc.exclude ?? [],
    files: (doc.files ?? []).map(normalizeFile),
    layers: doc.layers ?? "split",
    ports: (doc.ports ?? []).flatMap((p) => {
      const port = parsePort(p);
      return port === undefined ? [] : [port];
    }),
    labels: sortedRecord(doc.labels ?? {}),
    ...(doc.boot === undefined
      ? {}
      : {
          boot: {
            ...(doc.boot.kernel === undefined ? {} : { kernel: doc.boot.kernel }),
            cmdline: doc.boot.cmdline ?? "",
            ...(doc.boot.console === undefined ? {} : { console: doc.boot.console }),
            onExit: doc.boot.onExit ?? "poweroff",
            ...(doc.boot.network === undefined ? {} : { network: networkOf(doc.boot.network) }),
            modules: doc.boot.modules ?? [],
          },
        }),
    metadata: {
      sbom: doc.metadata?.sbom ?? DEFAULTS.metadata.sbom,
      provenance: doc.metadata?.provenance ?? DEFAULTS.metadata.provenance,
      dpkgStatus: doc.metadata?.dpkgStatus ?? DEFAULTS.metadata.dpkgStatus,
    },
    outputs: outputs.map(
      (o): SpecOutput => ({ format: o.format as OutputFormat, path: o.path ?? defaultOutputPath(doc.name, o.format) }),
    ),
  };
}

/** The user forms of the spec (`65532`, `"1000:1000"`, `"nonroot"`, `{name, uid, gid}`) as one. */
export function normalizeUser(user: SpecDocument["user"]): SpecUser {
  const nameFor = (uid: number) => (uid === 0 ? "root" : DEFAULTS.user.name);
  const uidFor = (name: string) => (name === "root" ? 0 : DEFAULTS.user.uid);
  if (user === undefined) return DEFAULTS.user;
  if (typeof user === "number") return { name: nameFor(user), uid: user, gid: user };
  if (typeof user === "string") {
    const ids = /^([0-9]+)(?::([0-9]+))?$/.exec(user);
    if (ids !== null) {
      const uid = Number(ids[1]);
      const gid = ids[2] === undefined ? uid : Number(ids[2]);
      return { name: nameFor(uid), uid, gid };
    }
    return { name: user, uid: uidFor(user), gid: uidFor(user) };
  }
  const uid = user.uid ?? uidFor(user.name ?? DEFAULTS.user.name);
  return { name: user.name ?? nameFor(uid), uid, gid: user.gid ?? uid };
}

function normalizeFile(file: NonNullable<SpecDocument["files"]>[number]): SpecFile {
  const mode = parseMode(file.mode);
  if (file.source !== undefined) return { kind: "source", path: file.path, source: file.source, mode, exclude: [...(file.exclude ?? [])], unpack: file.unpack ?? false };
  return { kind: "content", path: file.path, content: file.content ?? "", mode };
}

/** Modes are octal: strings as written (`"0644"`, `"0o644"`); numbers already read as octal by the parser. */
function parseMode(mode: string | number | undefined): number {
  if (mode === undefined) return DEFAULTS.fileMode;
  if (typeof mode === "number") return mode;
  return parseInt(mode.replace(/^0o/, ""), 8);
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) {
    Object.defineProperty(out, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The `boot.network` of a valid document, as plain data. */
function networkOf(network: NonNullable<NonNullable<SpecDocument["boot"]>["network"]>): SpecNetwork {
  if (network === "none") return { kind: "none" };
  if (network === "dhcp") return { kind: "dhcp", interface: "eth0" };
  const [address = "", prefix = "0"] = network.address.split("/");
  return {
    kind: "static",
    interface: network.interface ?? "eth0",
    address,
    prefix: Number(prefix),
    ...(network.gateway === undefined ? {} : { gateway: network.gateway }),
    dns: network.dns ?? [],
  };
}
