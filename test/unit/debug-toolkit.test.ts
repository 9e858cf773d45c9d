// The debugging toolkit's spec and launchers. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEBUG_TOOLS, launchers, toolkitSpec } from "../../src/debug/toolkit.js";

test("the toolkit is a spec: static busybox as the executable, the tools by include, no SBOM", () => {
  const spec = toolkitSpec("bookworm", "arm64");
  assert.match(spec, /^from: \{ release: bookworm, archs: \[arm64\] \}$/m);
  assert.match(spec, /^packages: \[busybox-static, strace, curl, iproute2\]$/m);
  assert.match(spec, /^executable: \/bin\/busybox$/m);
  for (const tool of DEBUG_TOOLS) assert.match(spec, new RegExp(`^  - ${tool.path}$`, "m"));
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

test.run();
