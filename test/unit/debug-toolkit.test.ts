// The debugging toolkit's spec and launchers. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ATTACH_PATH, attachScript, busyboxApplets, DEBUG_TOOLS, diskExtras, launchers, toolkitPlace, toolkitSpec } from "../../src/debug/toolkit.js";

test("the toolkit is a spec: static busybox as the executable, the tools by include, no SBOM", () => {
  const spec = toolkitSpec("bookworm", ["arm64"]);
  assert.match(spec, /^from: \{ release: bookworm, archs: \[arm64\] \}$/m);
  assert.match(spec, /^packages: \[busybox-static, strace, curl, iproute2\]$/m);
  assert.match(spec, /^executable: \/bin\/busybox$/m);
  for (const tool of DEBUG_TOOLS) assert.match(spec, new RegExp(`^  - ${tool.path}$`, "m"));
});

test("as an image: the attach helper is the entrypoint, run as root from /, for every architecture asked, with no mounts of its own", () => {
  const spec = toolkitSpec("trixie", ["amd64", "arm64"], true);
  assert.match(spec, /^from: \{ release: trixie, archs: \[amd64, arm64\] \}$/m);
  assert.match(spec, new RegExp(`^executable: ${ATTACH_PATH}$`, "m"));
  assert.match(spec, /^user: \{ name: root, uid: 0, gid: 0 \}$/m);
  assert.match(spec, /^mounts: \[\]$/m);
  assert.match(spec, new RegExp(`^  - \\{ path: ${ATTACH_PATH}, source: mcc-attach, mode: "0755" \\}$`, "m"));
  assert.not.match(spec, /^executable: \/bin\/busybox$/m);
  // The helper is busybox's shell, writes a launcher for each tool and knows each loader.
  const script = attachScript();
  assert.ok(script.startsWith("#!/usr/bin/busybox sh\n"));
  for (const tool of DEBUG_TOOLS) assert.ok(script.includes(`${tool.name}:${tool.path}`), tool.name);
  assert.ok(script.includes("x86_64-linux-gnu:ld-linux-x86-64.so.2 aarch64-linux-gnu:ld-linux-aarch64.so.1"));
  assert.ok(script.includes("for p in /dev /run /tmp /var/tmp /dev/shm; do"));
});

test("launchers: each tool through the toolkit's loader and libraries only; applets linked, a tool's name not", () => {
  const made = launchers("/dev/.mcc-debug-ab", "amd64", ["ls", "ps", "ip", "busybox", "bad name"]);
  assert.equal(made.links, [
    { name: "ls", target: "../usr/bin/busybox" },
    { name: "ps", target: "../usr/bin/busybox" },
  ]);
  const strace = made.scripts.find((s) => s.name === "strace");
  assert.is(
    strace?.content,
    '#!/dev/.mcc-debug-ab/usr/bin/busybox sh\nexec "/dev/.mcc-debug-ab/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" --inhibit-cache --library-path "/dev/.mcc-debug-ab/usr/lib/x86_64-linux-gnu" --argv0 strace "/dev/.mcc-debug-ab/usr/bin/strace" "$@"\n',
  );
  assert.match(launchers("/x", "arm64", []).scripts[0]?.content ?? "", /aarch64-linux-gnu\/ld-linux-aarch64\.so\.1/);
  assert.throws(() => launchers("/x", "riscv64", []), /no toolkit/);
});

test("where the toolkit lands: the first writable tmpfs that may run programs, never the image's root", () => {
  const runc = "71 69 0:41 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n70 69 0:40 / / ro,relatime - ext4 /dev/vda rw\n";
  assert.is(toolkitPlace(runc), "/dev");
  // podman mounts /dev noexec; its /run and /tmp are not.
  const podman = [
    "1 0 0:1 / / ro,relatime - overlay overlay rw",
    "2 1 0:2 / /dev rw,nosuid,noexec - tmpfs tmpfs rw,size=65536k",
    "3 1 0:3 / /tmp rw,nosuid,nodev,relatime - tmpfs tmpfs rw",
    "4 1 0:4 / /run rw,nosuid,nodev,relatime - tmpfs tmpfs rw",
  ].join("\n");
  assert.is(toolkitPlace(podman), "/run");
  // Read-only, noexec or not a tmpfs: nowhere.
  assert.is(toolkitPlace("1 0 0:1 / /dev ro - tmpfs tmpfs ro\n2 0 0:2 / /run rw,noexec - tmpfs tmpfs rw\n3 0 0:3 / /tmp rw - ext4 /dev/vda rw\n"), undefined);
  // A later mount at the same place hides the earlier one.
  assert.is(toolkitPlace("1 0 0:1 / /dev rw - tmpfs tmpfs rw\n2 0 0:2 / /dev rw,noexec - tmpfs tmpfs rw\n"), undefined);
});

test("busybox's applets are read from its own table (any architecture's binary), in order, and the table's end is found", () => {
  const binary = new TextEncoder().encode("\x7fELF junk\0[\0[[\0acpid\0ash\0cat\0ls\0\0\x01\x02 more junk");
  assert.equal(busyboxApplets(binary), ["[", "[[", "acpid", "ash", "cat", "ls"]);
  assert.equal(busyboxApplets(new TextEncoder().encode("no table here")), []);
});

test("the appliance's disk: launchers for where the init mounts it, and a shell that starts again when it ends", () => {
  const extras = diskExtras("/run/mcc-debug", "arm64", ["[", "ls", "strace"]);
  const paths = extras.map((e) => e.path);
  assert.equal(paths.slice(0, 3), ["mcc-bin", "mcc-bin/[", "mcc-bin/ls"]);
  assert.ok(!paths.includes("mcc-bin/busybox"));
  const strace = extras.find((e) => e.path === "mcc-bin/strace");
  assert.ok(strace?.kind === "file" && strace.content.includes('"/run/mcc-debug/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" --inhibit-cache'));
  const shell = extras.find((e) => e.path === "mcc-shell");
  assert.ok(shell?.kind === "file");
  if (shell?.kind === "file") {
    assert.match(shell.content, /^#!\/run\/mcc-debug\/usr\/bin\/busybox sh\n/);
    assert.match(shell.content, /while :; do\n  \$t\/usr\/bin\/busybox sh -i\n/);
  }
});

test.run();
