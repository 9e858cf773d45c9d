// `mcc kube SPEC` and `mcc compose SPEC`: the deployment files of a spec, on stdout or in a file.
// The spec is read, not built: a `config` mount's ConfigMap holds the files given with
// `--config PATH=DIR`, else the spec's own files under that path, as the image holds them.
import { posix, resolve } from "node:path";
import { stringify } from "yaml";
import { collectBytes } from "../../host/host.js";
import { composeFile } from "../../deploy/compose.js";
import { CONFIGMAP_LIMIT, type ConfigFile } from "../../deploy/deploy-plan.js";
import { kubeManifests } from "../../deploy/kube.js";
import { readSpecFiles } from "../../steps/spec-files.js";
import type { Spec } from "../../types/spec.js";
import { walkSourceTree, walkTarball } from "../../validate/source-tree.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { bindsOf, loadOrReport } from "./common.js";

export interface DeployOptions {
  readonly output?: string;
  readonly force?: boolean;
  readonly image?: string;
  /** `PATH=DIR`, repeatable: the files of a config mount. */
  readonly config?: readonly string[];
  readonly pod?: boolean;
  readonly replicas?: string;
  readonly storage?: string;
}

/** The first line of every file mcc kube and mcc compose write: -o replaces only a file that starts with it. */
const HEADER = "# Written by mcc";

export async function deployCommand(what: "kube" | "compose", target: string, options: DeployOptions, io: CliIo): Promise<ExitCode> {
  const binds = bindsOf("--config", options.config ?? [], "a config mount's path in the image", io);
  if (binds === undefined) return EXIT.usage;
  const replicas = Number(options.replicas ?? "1");
  if (!Number.isInteger(replicas) || replicas < 0) {
    io.stderr(`mcc: error: --replicas ${options.replicas}: give a whole number, 0 or more\n`);
    return EXIT.usage;
  }
  const storage = options.storage ?? "1Gi";
  if (!/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(storage)) {
    io.stderr(`mcc: error: --storage ${storage}: give a Kubernetes quantity such as 1Gi or 500Mi\n`);
    return EXIT.usage;
  }

  const loaded = await loadOrReport(target, io);
  if (loaded === undefined) return EXIT.userError;
  const spec = loaded.spec;
  for (const path of binds.keys()) {
    if (!spec.mounts.some((m) => m.path === path && m.type === "config")) {
      const configs = spec.mounts.filter((m) => m.type === "config").map((m) => m.path);
      io.stderr(`mcc: error: --config ${path}=...: the spec has no config mount at ${path} (${configs.length === 0 ? "it has none" : `it has ${configs.join(", ")}`})\n`);
      return EXIT.usage;
    }
  }

  const config = new Map<string, ConfigFile[]>();
  if (what === "kube") {
    for (const m of spec.mounts.filter((m) => m.type === "config")) {
      const dir = binds.get(m.path);
      const files = dir === undefined ? await specFilesUnder(io, spec, resolve(io.cwd, target), m.path) : await directoryFiles(io, dir);
      if (typeof files === "string") {
        io.stderr(`mcc: error: ${files}\n`);
        return EXIT.userError;
      }
      const size = files.reduce((n, f) => n + f.bytes.length, 0);
      if (size > CONFIGMAP_LIMIT) {
        io.stderr(`mcc: error: the config mount ${m.path} holds ${size} bytes; a ConfigMap holds at most ${CONFIGMAP_LIMIT} (1 MiB)\n  hint: keep large files in the image (outside ${m.path}) or on a volume\n`);
        return EXIT.userError;
      }
      config.set(m.path, files);
    }
  }

  const choices = { ...(options.image === undefined ? {} : { image: options.image }), config, binds };
  const image = options.image ?? `localhost/${spec.name}:${spec.tag}`;
  const docs = what === "kube" ? kubeManifests(spec, { ...choices, kind: options.pod === true ? "Pod" : "Deployment", replicas, storage }) : [composeFile(spec, choices)];
  const about =
    what === "kube"
      ? [`${HEADER} kube from ${spec.name}: apply with \`kubectl apply -f\`, or run with \`podman kube play\`.`, `# The image is ${image}${options.image === undefined ? " (podman's name for the loaded image; --image names the one you pushed)" : ""}.`]
      : [`${HEADER} compose from ${spec.name}: run with \`docker compose up\` or \`podman-compose up\`.`, `# The image is ${image}${options.image === undefined ? " (podman's name for the loaded image; --image names the one you pushed)" : ""}.`];
  const text = `${about.join("\n")}\n${docs.map((d) => stringify(d, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false })).join("---\n")}`;

  if (options.output === undefined) {
    io.stdout(text);
    return EXIT.ok;
  }
  const out = resolve(io.cwd, options.output);
  const existing = await io.host.stat(out);
  if (existing !== undefined && options.force !== true) {
    const head = existing.kind === "file" ? new TextDecoder().decode((await io.host.readFile(out)).subarray(0, HEADER.length)) : "";
    if (head !== HEADER) {
      io.stderr(`mcc: error: ${options.output} exists and mcc did not write it; choose another path, or --force to replace it\n`);
      return EXIT.userError;
    }
  }
  await io.host.writeFileAtomic(out, text);
  return EXIT.ok;
}

/** The spec's own files under a mount path, with their bytes, as the image holds them. */
async function specFilesUnder(io: CliIo, spec: Spec, specPath: string, mount: string): Promise<ConfigFile[] | string> {
  const read = await readSpecFiles(io.host, spec, specPath);
  const out: ConfigFile[] = [];
  const members = new Map<string, Map<string, string>>(); // tarball -> member -> rel
  const bytesOf = new Map<string, Uint8Array>();
  const under = read.entries.files.flatMap((f) => (f.path.startsWith(`${mount}/`) && f.sha256 !== null ? [{ ...f, sha256: f.sha256 }] : []));
  let size = 0;
  for (const f of under) {
    const content = read.contents.get(f.sha256);
    if (content instanceof Uint8Array) bytesOf.set(f.sha256, content);
    else if (typeof content === "string") {
      // Refused before it is read: a ConfigMap holds 1 MiB.
      size += (await io.host.stat(content))?.size ?? 0;
      if (size > CONFIGMAP_LIMIT) return `the spec's files under ${mount} hold more than ${CONFIGMAP_LIMIT} bytes; a ConfigMap holds at most 1 MiB (keep large files in the image outside ${mount}, or on a volume)`;
      bytesOf.set(f.sha256, await io.host.readFile(content));
    }
    else if (content !== undefined) {
      const m = members.get(content.tar) ?? new Map<string, string>();
      m.set(content.member, f.sha256);
      members.set(content.tar, m);
    }
  }
  for (const [tar, wanted] of members) {
    await walkTarball(io.host, tar, () => false, async (rel, body) => {
      const bytes = await collectBytes(body);
      const sha = wanted.get(rel);
      if (sha !== undefined) bytesOf.set(sha, bytes);
    });
  }
  for (const f of under) {
    const bytes = bytesOf.get(f.sha256);
    if (bytes === undefined) return `could not read the spec's file for ${f.path}`;
    out.push({ rel: posix.relative(mount, f.path), bytes, mode: f.mode });
  }
  return out;
}

/** The regular files of a directory given with --config, 0755 when executable, 0644 otherwise. */
async function directoryFiles(io: CliIo, dir: string): Promise<ConfigFile[] | string> {
  if ((await io.host.stat(dir))?.kind !== "directory") return `--config: ${dir} is not a directory`;
  const { items, problems } = await walkSourceTree(io.host, dir);
  const problem = problems[0];
  if (problem !== undefined) return `--config: ${dir}: ${"rel" in problem ? `${problem.rel}: ` : ""}${problem.kind === "unreadable" ? problem.reason : `cannot be put in a ConfigMap (${problem.kind})`}`;
  // Refused before anything is read: a ConfigMap holds 1 MiB.
  const size = items.reduce((n, item) => n + (item.kind === "file" ? item.size : 0), 0);
  if (size > CONFIGMAP_LIMIT) return `the config directory ${dir} holds ${size} bytes; a ConfigMap holds at most ${CONFIGMAP_LIMIT} (1 MiB)`;
  const out: ConfigFile[] = [];
  for (const item of items) {
    if (item.kind !== "file") continue;
    out.push({ rel: item.rel, bytes: await io.host.readFile(posix.join(dir, item.rel)), mode: item.executable ? 0o755 : 0o644 });
  }
  return out;
}
