// Runs a command in a rootfs with the real runc, as ../shared/docs/verification.md says:
// a bundle from `runc spec`, no terminal, the root read-only, the
// spec's user and working directory, /write and /run writable by that user. Optionally the host's network (to reach a server on
// loopback).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RuncResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let counter = 0;

export function hasRunc(): boolean {
  return spawnSync("runc", ["--version"]).status === 0 && process.getuid?.() === 0;
}

export async function runInRootfs(
  rootfs: string,
  args: readonly string[],
  options: { uid: number; gid: number; cwd: string; env?: Record<string, string>; hostNetwork?: boolean },
): Promise<RuncResult> {
  const bundle = mkdtempSync(join(tmpdir(), "mcc-runc-"));
  try {
    execFileSync("runc", ["spec"], { cwd: bundle });
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
    const id = `mcc-test-${process.pid}-${counter++}`;
    // Asynchronous, so that a server in this process (the curl test's) can answer meanwhile.
    const child = spawn("runc", ["run", id], { cwd: bundle, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    clearTimeout(timer);
    spawnSync("runc", ["delete", "-f", id], { stdio: "ignore" });
    return { status, stdout, stderr };
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
}
