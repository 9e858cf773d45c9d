// A lock of several architectures reads each suite's InRelease once and resolves every
// architecture against that one state of the archive.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runMain } from "../../src/cli/program.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { parseLock } from "../../src/resolve/lock.js";
import { captureIo } from "../support/io.js";
import { createMemoryArchive, MEMORY_NOW, memoryLibc6 } from "../support/memory-archive.js";

test("two architectures: each InRelease asked for once, each architecture's index once, one InRelease in the lock", async () => {
  const archive = await createMemoryArchive([memoryLibc6(), { name: "hello", version: "1.0-1", depends: "libc6 (>= 2.34)", files: { "/usr/bin/hello": "#!/bin/sh\n" } }], { archs: ["amd64", "arm64"] });
  const asked = new Map<string, number>();
  const web = (url: string) => {
    asked.set(url, (asked.get(url) ?? 0) + 1);
    return archive.web(url);
  };
  const spec = ["name: hello", "from:", "  release: testrel", "  archs: [amd64, arm64]", `  mirror: ${archive.url}`, "  keyring: archive.gpg", "packages: [hello]", "executable: /usr/bin/hello", ""].join("\n");
  const host = createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": archive.keyring }, { web, now: MEMORY_NOW });
  const { io, out } = captureIo({ host });
  assert.is(await runMain(["lock", "/work/app/spec.yml", "--cache", "/cache", "-q"], io), 0, out.stderr);
  const inRelease = `${archive.url}/dists/testrel/InRelease`;
  assert.is(asked.get(inRelease), 1, "the release's InRelease, once for both architectures");
  for (const arch of ["amd64", "arm64"]) {
    const index = [...asked.keys()].filter((u) => u.includes(`/binary-${arch}/`));
    assert.is(index.length, 1, `one index read for ${arch}`);
    assert.is(asked.get(index[0] as string), 1);
  }
  const lock = parseLock(new TextDecoder().decode(await host.readFile("/work/app/spec.lock.json")));
  assert.ok(lock);
  const [amd64, arm64] = [lock.archs["amd64"], lock.archs["arm64"]];
  assert.equal(amd64?.packages.map((p) => `${p.name} ${p.arch}`), ["hello amd64", "libc6 amd64"]);
  assert.equal(arm64?.packages.map((p) => `${p.name} ${p.arch}`), ["hello arm64", "libc6 arm64"]);
  assert.is(amd64?.indexes[0]?.inRelease, arm64?.indexes[0]?.inRelease, "both against the same InRelease");
});

test.run();
