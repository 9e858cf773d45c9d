// Runs a command in a rootfs with the real runc, as ../shared/docs/verification.md says:
// a bundle from `runc spec`, no terminal, the root read-only, the
// spec's user and working directory, /write and /run writable by that user. Optionally the host's network (to reach a server on
// loopback).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onStop, trackChild } from "./children.js";
import { REF_NAME, refNameMatches } from "../../src/formats/oci-layout.js";
import { layoutIndexOf } from "./layout.js";
import { needRoot, needTools } from "./tools.js";

export interface RuncResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let counter = 0;

/** Throws one line unless runc is here and we are root (it runs the containers as root). */
export function needRunc(): void {
  needTools("runc", "umoci");
  needRoot("runc runs the test containers as root");
}

export async function runInRootfs(
  rootfs: string,
  args: readonly string[],
  options: { uid: number; gid: number; cwd: string; env?: Record<string, string>; hostNetwork?: boolean },
): Promise<RuncResult> {
  const bundle = mkdtempSync(join(tmpdir(), "mcc-runc-"));
  try {
    execFileSync("runc", ["spec"], { cwd: bundle, timeout: 30_000 });
    const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as {
      root: { path: string; readonly: boolean };
      process: { terminal: boolean; args: string[]; user: { uid: number; gid: number }; cwd: string; env: string[] };
      mounts: { destination: string; type: string; source: string; options: string[] }[];
      linux: { namespaces: { type: string }[] };
    };
    config.root = { path: rootfs, readonly: true };
    config.process.terminal = false;
    config.process.args = [...args];
    config.process.user = { uid: options.uid, gid: options.gid };
    config.process.cwd = options.cwd;
    config.process.env = ["PATH=/usr/local/bin:/usr/bin:/bin", ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
    // /write is a volume and /run a scratch place, both the user's: host directories
    // owned by the run user, bound in (runc's tmpfs mounts here come up root-owned).
    for (const place of ["write", "run"]) {
      const dir = join(bundle, place);
      mkdirSync(dir);
      chownSync(dir, options.uid, options.gid);
      config.mounts.push({ destination: `/${place}`, type: "bind", source: dir, options: ["rbind", "rw", "nosuid", "nodev"] });
    }
    if (options.hostNetwork) config.linux.namespaces = config.linux.namespaces.filter((n) => n.type !== "network");
    writeFileSync(join(bundle, "config.json"), JSON.stringify(config, null, 1));
    return await runBundle(bundle);
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
}

/**
 * `runc run` in a bundle, then the container deleted. Asynchronous, so that a server in this
 * process (a test's loopback server) can answer meanwhile; killed after two minutes.
 */
export async function runBundle(bundle: string): Promise<RuncResult> {
  // The id names this process: the test runner deletes what a killed test file left.
  const id = `mcc-test-${process.pid}-${counter++}`;
  const deleted = onStop(`runc container ${id}`, () => void spawnSync("runc", ["delete", "--force", id], { stdio: "ignore", timeout: 30_000 }));
  const child = trackChild(spawn("runc", ["run", id], { cwd: bundle, stdio: ["ignore", "pipe", "pipe"] }), `runc run ${id}`);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearTimeout(timer);
  spawnSync("runc", ["delete", "-f", id], { stdio: "ignore", timeout: 30_000 });
  deleted();
  return { status, stdout, stderr };
}

/**
 * Unpacks a layout's image with umoci (`DIR:TAG`) into `work` and runs it under runc as the
 * image says: its user, its entrypoint (or `args`), a read-only root and a host directory owned
 * by the user bound at /write. umoci --rootless writes a rootless config; as root it is run as a
 * plain container. `hostNetwork` lets it reach a server on the host's loopback.
 */
export async function runLayoutImage(
  layout: string,
  tag: string,
  work: string,
  name: string,
  options: { args?: readonly string[]; hostNetwork?: boolean } = {},
): Promise<RuncResult & { user: { uid: number; gid: number } }> {
  const bundle = join(work, `bundle-${name}`);
  // umoci looks an image up by its exact ref name (`curl:latest`); `tag` may be the tag alone.
  const names = layoutIndexOf(layout).manifests.map((m) => m.annotations?.[REF_NAME]);
  const refName = names.find((n) => refNameMatches(n, tag)) ?? tag;
  execFileSync("umoci", ["unpack", "--rootless", "--image", `${layout}:${refName}`, bundle], { stdio: ["ignore", "pipe", "pipe"], timeout: 5 * 60_000 });
  const configPath = join(bundle, "config.json");
  const runtime = JSON.parse(readFileSync(configPath, "utf8")) as {
    root: { readonly?: boolean };
    process: { terminal: boolean; args: string[]; user: { uid: number; gid: number } };
    linux: { uidMappings?: unknown; gidMappings?: unknown; namespaces: { type: string }[] };
    mounts: { destination: string; type: string; source: string; options: string[] }[];
  };
  runtime.process.terminal = false;
  runtime.root.readonly = true;
  if (options.args !== undefined) runtime.process.args = [...options.args];
  delete runtime.linux.uidMappings;
  delete runtime.linux.gidMappings;
  runtime.linux.namespaces = runtime.linux.namespaces.filter((n) => n.type !== "user" && !(options.hostNetwork === true && n.type === "network"));
  const write = join(work, `write-${name}`);
  mkdirSync(write);
  chownSync(write, runtime.process.user.uid, runtime.process.user.gid);
  runtime.mounts = runtime.mounts.filter((m) => m.destination !== "/write");
  runtime.mounts.push({ destination: "/write", type: "bind", source: write, options: ["rbind", "rw"] });
  writeFileSync(configPath, JSON.stringify(runtime));
  return { ...(await runBundle(bundle)), user: runtime.process.user };
}
