// The run plan: the spec's contract as podman's command line and runc's config. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bootExitStatus, containerPlan, podmanRunArgv, runcConfig } from "../../src/run/run-plan.js";

const spec = {
  executable: "/bin/busybox",
  args: ["httpd", "-f"],
  env: { LANG: "C.UTF-8" },
  user: { name: "www", uid: 1000, gid: 1000 },
  workdir: "/read",
  mounts: [
    { path: "/run", type: "tmpfs" as const },
    { path: "/write", type: "volume" as const },
    { path: "/read", type: "config" as const },
  ],
  ports: [{ port: 8080, protocol: "tcp" as const }],
};

test("mounts made real: tmpfs the user owns, a volume in mcc's directory or the one given, config only when given", () => {
  const plain = containerPlan(spec, { binds: new Map(), volumeDir: (p) => `/work/.mcc/volumes/x${p}` });
  assert.equal(plain.mounts, [
    { kind: "tmpfs", path: "/run" },
    { kind: "bind", path: "/write", source: "/work/.mcc/volumes/x/write", readOnly: false, owned: true },
  ]);
  const given = containerPlan(spec, { binds: new Map([["/write", "/data"], ["/read", "/etc/app"]]), volumeDir: () => "unused", args: ["sh"] });
  assert.equal(given.mounts.slice(1), [
    { kind: "bind", path: "/write", source: "/data", readOnly: false, owned: false },
    { kind: "bind", path: "/read", source: "/etc/app", readOnly: true, owned: false },
  ]);
  assert.equal(given.argv, ["/bin/busybox", "sh"]);
  assert.equal(plain.argv, ["/bin/busybox", "httpd", "-f"]);
  assert.equal(plain.env, ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]);
});

test("podman: read-only, the user, the mounts (the user's own volume chowned with U), loopback ports, the arguments last", () => {
  const plan = containerPlan(spec, { binds: new Map(), volumeDir: (p) => `/v${p}` });
  assert.equal(podmanRunArgv(plan, "localhost/httpd:1.36", { interactive: false, limits: ["nofile=1024:1024"] }), [
    "run", "--rm", "--read-only", "--user", "1000:1000", "--workdir", "/read", "--entrypoint", "/bin/busybox",
    "--ulimit", "nofile=1024:1024",
    "--tmpfs", "/run:U,mode=0755",
    "--volume", "/v/write:/write:rw,U",
    "--publish", "127.0.0.1:8080:8080/tcp",
    "--env", "PATH=/usr/local/bin:/usr/bin:/bin", "--env", "LANG=C.UTF-8",
    "localhost/httpd:1.36", "httpd", "-f",
  ]);
});

test("runc: the default config with a read-only root, the process, tmpfs and binds in place of the defaults, the host's network", () => {
  const defaults = {
    process: { terminal: true, args: ["sh"], env: [], cwd: "/", user: { uid: 0, gid: 0 }, capabilities: { bounding: ["CAP_KILL"] } },
    root: { path: "rootfs", readonly: true },
    mounts: [{ destination: "/proc", type: "proc", source: "proc", options: [] }, { destination: "/run", type: "bind", source: "/x", options: [] }],
    linux: { namespaces: [{ type: "pid" }, { type: "network" }, { type: "mount" }] },
  };
  const plan = containerPlan(spec, { binds: new Map(), volumeDir: (p) => `/v${p}` });
  const config = runcConfig(defaults, plan, { rootfs: "/b/rootfs", hostname: "httpd", terminal: false }) as typeof defaults & { hostname: string };
  assert.equal(config.process.user, { uid: 1000, gid: 1000 });
  assert.equal(config.process.capabilities, { bounding: ["CAP_KILL"] });
  assert.equal(config.root, { path: "/b/rootfs", readonly: true });
  assert.equal(config.mounts.map((m) => `${m.destination} ${m.type} ${m.options.join(",")}`), [
    "/proc proc ",
    "/run tmpfs nosuid,nodev,mode=0755,uid=1000,gid=1000",
    "/write bind rbind,rw",
  ]);
  assert.equal(config.linux.namespaces.map((n) => n.type), ["pid", "mount"]);
  assert.is(defaults.process.terminal, true, "the defaults are not changed");
});

test("the exit status a booted image printed is the last one", () => {
  assert.is(bootExitStatus("boot...\nmcc: exit status 3\r\n[ 1.0] reboot: Power down\n"), 3);
  assert.is(bootExitStatus("kernel panic\n"), undefined);
});

test.run();
