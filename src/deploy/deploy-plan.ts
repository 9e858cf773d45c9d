// What a deployment of the microcontainer needs, whatever writes it (Kubernetes, compose):
// names that the other side accepts, each mount with a name of its own, and the files of a
// `config` mount. Pure.
import type { Spec } from "../types/spec.js";

/** A file of a `config` mount: its path under the mount, its bytes and mode. */
export interface ConfigFile {
  readonly rel: string;
  readonly bytes: Uint8Array;
  readonly mode: number;
}

export interface DeployChoices {
  /** The image reference to run; default `localhost/NAME:TAG`, what podman names a loaded mcc image. */
  readonly image?: string;
  /** A `config` mount's files, by the mount's path: from `--config PATH=DIR`, else the spec's own files under it. */
  readonly config: ReadonlyMap<string, readonly ConfigFile[]>;
  /** Host directories given for mounts (`--config PATH=DIR`), for a compose file's binds. */
  readonly binds: ReadonlyMap<string, string>;
}

export interface DeployMount {
  readonly path: string;
  readonly type: Spec["mounts"][number]["type"];
  /** A DNS-1123 label, unique in the deployment: the volume's name (`write` for `/write`). */
  readonly name: string;
}

export interface Deployment {
  /** A DNS-1123 label made of the spec's name: Kubernetes' object names, compose's service. */
  readonly name: string;
  readonly image: string;
  readonly uid: number;
  readonly gid: number;
  readonly mounts: readonly DeployMount[];
  readonly ports: readonly { readonly port: number; readonly protocol: "tcp" | "udp" | "sctp" }[];
  /** A non-root program that listens below 1024 keeps CAP_NET_BIND_SERVICE; it drops every other. */
  readonly bindsLowPort: boolean;
}

/**
 * A name as Kubernetes and compose accept one (a DNS-1123 label: lowercase letters, digits and
 * `-`, at most 63, starting and ending with a letter or digit): the spec's name with `.` and
 * `_` made `-`.
 */
export function dnsLabel(name: string, fallback = "mcc"): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return label === "" ? fallback : label;
}

export function deployment(spec: Pick<Spec, "name" | "tag" | "user" | "mounts" | "ports">, choices: Pick<DeployChoices, "image">): Deployment {
  const used = new Set<string>();
  const mounts = spec.mounts.map((m) => {
    const base = dnsLabel(m.path.replace(/^\/+/, "").replace(/\//g, "-"), "root");
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
    used.add(name);
    return { path: m.path, type: m.type, name };
  });
  return {
    name: dnsLabel(spec.name),
    image: choices.image ?? `localhost/${spec.name}:${spec.tag}`,
    uid: spec.user.uid,
    gid: spec.user.gid,
    mounts,
    ports: spec.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
    bindsLowPort: spec.user.uid !== 0 && spec.ports.some((p) => p.port < 1024),
  };
}

/**
 * A config mount's files as a ConfigMap holds them: a flat key per file (its path with `/` made
 * `_`, characters a key cannot hold made `-`, numbered when two collide), the path and mode it
 * is mounted at, text as `data` and anything that is not UTF-8 as `binaryData`.
 */
export function configMapEntries(files: readonly ConfigFile[]): { key: string; rel: string; mode: number; text?: string; base64?: string }[] {
  const used = new Set<string>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return [...files]
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
    .map((f) => {
      const base = f.rel.replace(/\//g, "_").replace(/[^-._a-zA-Z0-9]/g, "-").slice(0, 240) || "file";
      let key = base;
      for (let i = 2; used.has(key); i++) key = `${base}-${i}`;
      used.add(key);
      let text: string | undefined;
      try {
        text = decoder.decode(f.bytes);
      } catch {
        text = undefined;
      }
      return text === undefined ? { key, rel: f.rel, mode: f.mode, base64: Buffer.from(f.bytes).toString("base64") } : { key, rel: f.rel, mode: f.mode, text };
    });
}

/** A ConfigMap holds at most 1 MiB, the size of an etcd value. */
export const CONFIGMAP_LIMIT = 1024 * 1024;
