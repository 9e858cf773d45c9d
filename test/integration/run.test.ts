// `mcc run`: a spec built through the cache and run as its contract says (read-only root, its
// user, /run a tmpfs the user owns, /write a directory mcc keeps), with runc and with podman,
// the program's arguments and exit code passed through; and a spec booted in qemu, its console
// on stdout and the exit status its init printed as mcc's. podman gets a storage of its own.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { needTools } from "../support/tools.js";

interface Context {
  work: string;
  env: NodeJS.ProcessEnv;
}
const test = suite<Context>("mcc run", {} as Context);
const bin = join(repoRoot, "dist", "cli", "main.js");
const SCRIPT = "id -u; ls -ldn /run /write | cut -c1-10,15-30; echo data > /write/kept; touch /x 2>/dev/null || echo read-only; exit 7";

function mcc(ctx: Context, args: string[], timeoutSeconds = 600): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args, "--cache", sharedTestCache], { cwd: ctx.work, encoding: "utf8", env: ctx.env, timeout: timeoutSeconds * 1000, stdio: ["ignore", "pipe", "pipe"] });
  return { code: r.status, stdout: r.stdout, stderr: `${r.error === undefined ? "" : `${r.error.message}\n`}${r.stderr}` };
}

test.before((ctx) => {
  ctx.work = mkdtempSync(join(tmpdir(), "mcc-run-"));
  // podman's images go to a storage of the test's own, never the machine's.
  const storage = join(ctx.work, "storage.conf");
  writeFileSync(storage, `[storage]\ndriver = "vfs"\nrunroot = "${join(ctx.work, "podman-run")}"\ngraphroot = "${join(ctx.work, "podman-storage")}"\n`);
  ctx.env = { ...process.env, CONTAINERS_STORAGE_CONF: storage };
  // The spec alone: mcc locks it on the first run (the examples' locks are not in the repository).
  copyFileSync(join(repoRoot, "examples", "busybox.yml"), join(ctx.work, "busybox.yml"));
});

test.after((ctx) => {
  // A run cut short by its time limit leaves its runc container (named mcc-NAME-PID): gone
  // when its mcc process is.
  const listed = spawnSync("runc", ["list", "-q"], { encoding: "utf8", timeout: 30_000 });
  for (const id of (listed.stdout ?? "").split("\n")) {
    const pid = /^mcc-busybox-(\d+)$/.exec(id)?.[1];
    if (pid !== undefined && !existsSync(`/proc/${pid}`)) spawnSync("runc", ["delete", "--force", id], { stdio: "ignore", timeout: 30_000 });
  }
  if (ctx.work !== undefined) rmSync(ctx.work, { recursive: true, force: true });
});

for (const runtime of ["runc", "podman"] as const) {
  test(`with ${runtime}: the spec's user, a read-only root, /run and /write the user's, the arguments after -- and the exit code`, (ctx) => {
    needTools(runtime);
    const r = mcc(ctx, ["run", "busybox.yml", "--runtime", runtime, "--ulimit", "nofile=1024:1024", "nproc=1024:1024", "--", "sh", "-c", SCRIPT]);
    assert.is(r.code, 7, r.stderr);
    const [uid, run, write, readOnly] = r.stdout.trim().split("\n");
    assert.is(uid, "65532");
    assert.match(run ?? "", /^drwxr-xr-x.*65532 +65532/);
    assert.match(write ?? "", /^drwxr-xr-x.*65532 +65532/);
    assert.is(readOnly, "read-only");
    // The volume's data is kept for the next run, in the directory mcc made for it.
    const kept = join(ctx.work, ".mcc", "volumes", "busybox", "write", "kept");
    assert.is(readFileSync(kept, "utf8"), "data\n");
    assert.is(statSync(kept).uid, 65532);
  });
}

test("an image file (a docker-archive, an oci-archive) runs with podman as it is, its arguments after --", (ctx) => {
  needTools("podman");
  for (const format of ["docker-archive", "oci-archive"]) {
    const file = join(ctx.work, `busybox.${format}.tar`);
    const built = spawnSync(process.execPath, [bin, "compile", "busybox.yml", "--format", format, "-o", file, "--arch", "amd64", "-q", "--cache", sharedTestCache], { cwd: ctx.work, encoding: "utf8", env: ctx.env, timeout: 600_000 });
    assert.is(built.status, 0, built.stderr);
    const r = mcc(ctx, ["run", file, "--ulimit", "nofile=1024:1024", "nproc=1024:1024", "--", "sh", "-c", "id -u; exit 5"]);
    assert.is(r.code, 5, r.stderr);
    assert.is(r.stdout, "65532\n");
  }
});

test("a config mount given with --mount is bound read-only; a path that is no mount of the spec is a usage error", (ctx) => {
  needTools("runc");
  const spec = join(ctx.work, "config.yml");
  writeFileSync(spec, readFileSync(join(ctx.work, "busybox.yml"), "utf8") + "mounts:\n  - {path: /run, type: tmpfs}\n  - {path: /read, type: config}\n");
  const dir = mkdtempSync(join(ctx.work, "conf-"));
  chmodSync(dir, 0o755); // the container's user (65532) reads it
  writeFileSync(join(dir, "app.conf"), "from the host\n");
  const r = mcc(ctx, ["run", spec, "--runtime", "runc", "--mount", `/read=${dir}`, "--", "sh", "-c", "cat /read/app.conf; echo x > /read/y 2>/dev/null || echo read-only"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "from the host\nread-only\n");
  assert.not.ok(existsSync(join(dir, "y")));
  const wrong = mcc(ctx, ["run", spec, "--runtime", "runc", "--mount", `/nowhere=${dir}`]);
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, /the spec has no volume or config mount at \/nowhere \(it has \/run \(tmpfs\), \/read \(config\)\)/);
});

test("--boot boots the spec in qemu: its console on stdout, the exit status its init printed as mcc's", (ctx) => {
  needTools("qemu-system-x86_64");
  const spec = join(ctx.work, "fails.yml");
  writeFileSync(spec, readFileSync(join(ctx.work, "busybox.yml"), "utf8").replace(/^args:.*$/m, 'args: ["sh", "-c", "echo booted and failing; exit 3"]'));
  const r = mcc(ctx, ["run", spec, "--boot"], 900);
  assert.is(r.code, 3, `${r.stderr}\n${r.stdout.slice(-2000)}`);
  assert.match(r.stdout, /booted and failing/);
  assert.match(r.stdout, /mcc: exit status 3/);
});

test.run();
