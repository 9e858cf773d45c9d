// mcc debug against a real microcontainer: busybox httpd running under runc (read-only root,
// its own network namespace), with no shell of its own. The toolkit is side-loaded into its
// /dev, the commands see its processes, files and sockets, strace attaches to its program; the
// container runs on afterwards, its root unchanged, nothing of the toolkit left there or mounted.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { needRunc } from "../support/runc.js";
import { needTools } from "../support/tools.js";

interface Context {
  work: string;
  id: string;
  pid: number;
  rootfs: string;
}
const test = suite<Context>("debug", {} as Context);
const bin = join(repoRoot, "dist", "cli", "main.js");

function debug(ctx: Context, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "debug", ...args], {
    cwd: ctx.work,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MCC_CACHE: sharedTestCache },
    timeout: 10 * 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every path under the container's root with its size and mode, to compare before and after. */
function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const s = statSync(path, { throwIfNoEntry: false });
      out.push(`${path.slice(root.length)} ${s?.size ?? "-"} ${s?.mode ?? "-"}`);
      if (s?.isDirectory() && !s.isSymbolicLink()) walk(path);
    }
  };
  walk(root);
  return out;
}

test.before((ctx) => {
  needRunc();
  needTools("nsenter");
  ctx.work = mkdtempSync(join(tmpdir(), "mcc-dbg-"));
  ctx.rootfs = join(ctx.work, "bundle", "rootfs");
  const built = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", "busybox-httpd.yml"), "--format", "rootfs", "-o", ctx.rootfs, "--arch", "amd64", "-q"], {
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedTestCache },
    timeout: 10 * 60_000,
  });
  assert.is(built.status, 0, built.stderr);
  const bundle = join(ctx.work, "bundle");
  execFileSync("runc", ["spec"], { cwd: bundle, timeout: 30_000 });
  const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as {
    process: { terminal: boolean; args: string[]; user: { uid: number; gid: number }; cwd: string };
    root: { path: string; readonly: boolean };
  };
  config.process.terminal = false;
  config.process.args = ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/read/www"];
  config.process.user = { uid: 1000, gid: 1000 };
  config.process.cwd = "/read";
  config.root = { path: "rootfs", readonly: true };
  writeFileSync(join(bundle, "config.json"), JSON.stringify(config));
  ctx.id = `httpd-${randomBytes(4).toString("hex")}`;
  const run = spawnSync("runc", ["run", "-d", ctx.id], { cwd: bundle, stdio: "ignore", timeout: 60_000 });
  assert.is(run.status, 0, "runc run -d");
  ctx.pid = (JSON.parse(execFileSync("runc", ["state", ctx.id], { encoding: "utf8", timeout: 30_000 })) as { pid: number }).pid;
});

test.after((ctx) => {
  if (ctx.id !== undefined) spawnSync("runc", ["delete", "--force", ctx.id], { stdio: "ignore", timeout: 60_000 });
  if (ctx.work !== undefined) rmSync(ctx.work, { recursive: true, force: true });
});

test("the toolkit side-loaded into a running microcontainer: ps, ls, /proc, ss and strace see the container; nothing is left", (ctx) => {
  const before = listing(ctx.rootfs);
  const toolkit = ["--toolkit", join(ctx.work, "toolkit")];

  const ps = debug(ctx, [ctx.id, ...toolkit, "--", "ps"]);
  assert.is(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, /^\s*1 www\s+\/bin\/busybox httpd -f -p 8080/m);

  const ls = debug(ctx, [ctx.id, ...toolkit, "--", "ls", "/read"]);
  assert.is(ls.stdout, "httpd.conf\nwww\n");

  const status = debug(ctx, [ctx.id, ...toolkit, "--", "cat", "/proc/1/status"]);
  assert.match(status.stdout, /^Name:\tbusybox$/m);
  assert.match(status.stdout, /^Uid:\t1000\t/m);

  // Its own network namespace: the only listening socket is the server's.
  const ss = debug(ctx, [ctx.id, ...toolkit, "--", "ss", "-ltn"]);
  assert.is(ss.code, 0, ss.stderr);
  assert.match(ss.stdout, /LISTEN .*:8080\b/);

  // strace from the toolkit attaches to the program for two seconds.
  const strace = debug(ctx, [ctx.id, ...toolkit, "--", "timeout", "2", "strace", "-p", "1"]);
  assert.match(strace.stderr, /strace: Process 1 attached/);

  // The command's exit code is mcc's.
  assert.is(debug(ctx, [ctx.id, ...toolkit, "--", "sh", "-c", "exit 7"]).code, 7);

  // The container runs on, its root as it was, nothing of the toolkit in its /dev or its mounts.
  const state = JSON.parse(execFileSync("runc", ["state", ctx.id], { encoding: "utf8", timeout: 30_000 })) as { status: string };
  assert.is(state.status, "running");
  assert.equal(listing(ctx.rootfs), before);
  assert.equal(
    readdirSync(`/proc/${ctx.pid}/root/dev`).filter((n) => n.startsWith(".mcc-debug-")),
    [],
  );
  assert.not.match(readFileSync(`/proc/${ctx.pid}/mountinfo`, "utf8"), /\.mcc-debug-/);
});

test("a podman container: the toolkit lands in its /run (podman mounts /dev noexec) and sees the container", (ctx) => {
  needTools("podman");
  // podman with a storage of its own, as mcc debug's own podman inspect will read it.
  const env = { ...process.env, MCC_CACHE: sharedTestCache, CONTAINERS_STORAGE_CONF: join(ctx.work, "storage.conf"), CONTAINERS_CONF: join(ctx.work, "containers.conf") };
  writeFileSync(join(ctx.work, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${ctx.work}/podman/storage"\nrunroot = "${ctx.work}/podman/run"\n`);
  writeFileSync(join(ctx.work, "containers.conf"), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n');
  const archive = join(ctx.work, "httpd.tar");
  const built = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", "busybox-httpd.yml"), "--format", "oci-archive", "-o", archive, "--arch", "amd64", "-q"], { encoding: "utf8", env, timeout: 10 * 60_000 });
  assert.is(built.status, 0, built.stderr);
  const podman = (args: string[]) => spawnSync("podman", args, { encoding: "utf8", env, timeout: 3 * 60_000 });
  assert.is(podman(["load", "-i", archive]).status, 0);
  const name = `web-${randomBytes(4).toString("hex")}`;
  const started = podman(["run", "-d", "--name", name, "--read-only", "--user", "1000:1000", "localhost/httpd:1.36"]);
  assert.is(started.status, 0, started.stderr);
  try {
    const r = spawnSync(process.execPath, [bin, "debug", name, "--toolkit", join(ctx.work, "toolkit"), "--", "ps"], { cwd: ctx.work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env, timeout: 10 * 60_000 });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\s*1 www\s+\/bin\/busybox httpd -f -p 8080/m);
    assert.match(r.stdout, /\/run\/\.mcc-debug-[0-9a-f]+\/usr\/bin\/busybox/);
    const pid = podman(["inspect", "--format", "{{.State.Pid}}", name]).stdout.trim();
    assert.equal(readdirSync(`/proc/${pid}/root/run`).filter((n) => n.startsWith(".mcc-debug-")), []);
  } finally {
    podman(["rm", "--force", name]);
  }
});

test("the toolkit as an image beside a podman container (--pid=container:NAME): mcc-attach enters its root; built twice from two caches, the same bytes", (ctx) => {
  needTools("podman");
  const env = { ...process.env, MCC_CACHE: sharedTestCache, CONTAINERS_STORAGE_CONF: join(ctx.work, "storage.conf"), CONTAINERS_CONF: join(ctx.work, "containers.conf") };
  writeFileSync(join(ctx.work, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${ctx.work}/podman/storage"\nrunroot = "${ctx.work}/podman/run"\n`);
  writeFileSync(join(ctx.work, "containers.conf"), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n');
  const image = (archive: string, cache: string) =>
    spawnSync(process.execPath, [bin, "debug", "--image", archive, "--format", "oci-archive", "--arch", "amd64", "--toolkit", join(ctx.work, "image-toolkit")], { cwd: ctx.work, encoding: "utf8", env: { ...env, MCC_CACHE: cache }, timeout: 10 * 60_000 });
  const first = image(join(ctx.work, "debug-1.tar"), sharedTestCache);
  assert.is(first.status, 0, first.stderr);
  const second = image(join(ctx.work, "debug-2.tar"), join(ctx.work, "fresh-cache"));
  assert.is(second.status, 0, second.stderr);
  const digest = (out: string) => /oci-archive (sha256:[0-9a-f]{64})/.exec(out)?.[1];
  assert.ok(digest(first.stdout + first.stderr), first.stdout + first.stderr);
  assert.is(digest(second.stdout + second.stderr), digest(first.stdout + first.stderr));
  assert.ok(readFileSync(join(ctx.work, "debug-1.tar")).equals(readFileSync(join(ctx.work, "debug-2.tar"))), "the two archives differ");

  const podman = (args: string[]) => spawnSync("podman", args, { encoding: "utf8", env, timeout: 3 * 60_000 });
  const archive = join(ctx.work, "httpd.tar");
  const built = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", "busybox-httpd.yml"), "--format", "oci-archive", "-o", archive, "--arch", "amd64", "-q", "--force"], { encoding: "utf8", env, timeout: 10 * 60_000 });
  assert.is(built.status, 0, built.stderr);
  assert.is(podman(["load", "-i", archive]).status, 0);
  assert.is(podman(["load", "-i", join(ctx.work, "debug-1.tar")]).status, 0);
  const name = `web-${randomBytes(4).toString("hex")}`;
  const started = podman(["run", "-d", "--name", name, "--read-only", "--user", "1000:1000", "localhost/httpd:1.36"]);
  assert.is(started.status, 0, started.stderr);
  try {
    const beside = (args: string[]) => podman(["run", "--rm", `--pid=container:${name}`, ...args]);
    // Its processes and its root, the toolkit in its /run; the command's exit code passed on.
    const ps = beside(["--cap-add", "SYS_PTRACE", "localhost/mcc-debug:latest", "ps"]);
    assert.is(ps.status, 0, ps.stderr);
    assert.match(ps.stdout, /^\s*1 www\s+\/bin\/busybox httpd -f -p 8080/m);
    assert.match(ps.stdout, /\/run\/\.mcc-debug-\w+\/usr\/bin\/busybox/);
    const look = beside(["--cap-add", "SYS_PTRACE", "--network", `container:${name}`, "localhost/mcc-debug:latest", "sh", "-c", "pwd; ls /read; ss -ltn; timeout 2 strace -p 1; exit 5"]);
    assert.is(look.status, 5, look.stderr);
    assert.match(look.stdout, /^\/read\/www\nhttpd\.conf\nwww\n/);
    assert.match(look.stdout, /LISTEN .*:8080\b/);
    assert.match(look.stderr, /strace: Process 1 attached/);
    // Without CAP_SYS_PTRACE the target's root (another user's) is out of reach: said, exit 1.
    const refused = beside(["localhost/mcc-debug:latest", "ls"]);
    assert.is(refused.status, 1);
    assert.match(refused.stderr, /mcc-attach: cannot reach process 1's root .*CAP_SYS_PTRACE/);
    // Alone, the image is a shell with the toolkit in its own root.
    const alone = podman(["run", "--rm", "localhost/mcc-debug:latest", "ps"]);
    assert.is(alone.status, 0, alone.stderr);
    assert.match(alone.stdout, /^\s*1 root\s+\{ps\}/m);
    const pid = podman(["inspect", "--format", "{{.State.Pid}}", name]).stdout.trim();
    assert.equal(readdirSync(`/proc/${pid}/root/run`).filter((n) => n.startsWith(".mcc-debug-")), []);
    assert.is(podman(["inspect", "--format", "{{.State.Status}}", name]).stdout.trim(), "running");
  } finally {
    podman(["rm", "--force", name]);
  }
});

test("an unknown target, or no target at all: one line and an exit code, nothing built", (ctx) => {
  const unknown = debug(ctx, ["no-such-container-or-process", "--toolkit", join(ctx.work, "toolkit"), "--", "ps"]);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /no running container or process is no-such-container-or-process/);
  const gone = debug(ctx, ["999999999", "--", "ps"]);
  assert.is(gone.code, 1);
  const none = debug(ctx, []);
  assert.is(none.code, 2);
  assert.match(none.stderr, /give the target/);
});

test.run();
