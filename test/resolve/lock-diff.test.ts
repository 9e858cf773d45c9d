import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffLocks, formatLockChange } from "../../src/resolve/lock-diff.js";
import type { LockedPackage, LockFile } from "../../src/resolve/lock.js";

const pkg = (name: string, version: string, sha = name): LockedPackage => ({
  name,
  version,
  arch: "amd64",
  filename: `pool/${name}.deb`,
  size: 1,
  sha256: sha.padEnd(64, "0"),
  source: name,
  archive: "mirror",
  suite: "bookworm",
  reason: "requested",
});
const lock = (archs: Record<string, LockedPackage[]>): LockFile => ({
  lockVersion: 1,
  inputs: "x",
  release: "bookworm",
  archs: Object.fromEntries(Object.entries(archs).map(([a, packages]) => [a, { indexes: [], packages }])),
});

test("upgrades, downgrades, additions, removals and rebuilt .debs, per architecture, by name", () => {
  const before = lock({ amd64: [pkg("curl", "7.88.1-10+deb12u14"), pkg("libpsl5", "0.21.2-1"), pkg("zlib1g", "1:1.2.13.dfsg-1"), pkg("old", "2.0")] });
  const after = lock({
    amd64: [pkg("curl", "7.88.1-10+deb12u15"), pkg("zlib1g", "1:1.2.13.dfsg-1", "rebuilt"), pkg("old", "1:0.9"), pkg("libnew", "1.0")],
    arm64: [pkg("curl", "7.88.1-10+deb12u15")],
  });
  assert.equal(diffLocks(before, after).map(formatLockChange), [
    "amd64: curl 7.88.1-10+deb12u14 -> 7.88.1-10+deb12u15",
    "amd64: + libnew 1.0",
    "amd64: - libpsl5 0.21.2-1",
    // An epoch makes 1:0.9 newer than 2.0: compared as dpkg does, not as text.
    "amd64: old 2.0 -> 1:0.9",
    "amd64: zlib1g 1:1.2.13.dfsg-1 (same version, other .deb)",
    "arm64: architecture added",
    "arm64: + curl 7.88.1-10+deb12u15",
  ]);
  assert.equal(diffLocks(after, after), []);
  assert.equal(diffLocks(after, lock({ amd64: after.archs["amd64"]?.packages as LockedPackage[] })).map(formatLockChange), ["arm64: architecture removed"]);
});

test("a downgrade says so", () => {
  const changes = diffLocks(lock({ amd64: [pkg("a", "2.0")] }), lock({ amd64: [pkg("a", "1.9")] }));
  assert.equal(changes.map(formatLockChange), ["amd64: a 2.0 -> 1.9 (older)"]);
});

test("a new kernel in the boot packages is a change like any other", () => {
  const withBoot = (version: string): LockFile => ({ ...lock({ amd64: [pkg("busybox", "1.0")] }), archs: { amd64: { indexes: [], packages: [pkg("busybox", "1.0")], boot: [pkg("linux-image-6.1.0-40-cloud-amd64", version)] } } });
  assert.equal(diffLocks(withBoot("6.1.153-1"), withBoot("6.1.158-1")).map(formatLockChange), ["amd64: linux-image-6.1.0-40-cloud-amd64 6.1.153-1 -> 6.1.158-1"]);
});

test.run();
