import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveBootPackages } from "../../src/resolve/boot-packages.js";
import { universeOf } from "../../src/source/packages-index.js";
import type { PackageRecord } from "../../src/source/packages-index.js";

const record = (name: string, version: string, depends = "", arch = "amd64"): PackageRecord => ({
  name,
  version,
  arch,
  multiArch: "no",
  essential: false,
  priority: "optional",
  preDepends: "",
  depends,
  provides: [],
  filename: `pool/${name}_${version}.deb`,
  size: 1,
  sha256: "0".repeat(64),
  source: name,
  base: "mirror",
  suite: "bookworm",
});

const records = [
  record("linux-image-cloud-amd64", "6.1.150-1", "linux-image-6.1.0-39-cloud-amd64 (= 6.1.150-1)"),
  record("linux-image-cloud-amd64", "6.1.158-1", "linux-image-6.1.0-40-cloud-amd64 (= 6.1.158-1)"),
  record("linux-image-6.1.0-39-cloud-amd64", "6.1.150-1", "kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool"),
  record("linux-image-6.1.0-40-cloud-amd64", "6.1.158-1", "kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool"),
  record("kmod", "30+20221128-1"),
  record("isolinux", "3:6.04", "", "all"),
  record("syslinux-common", "3:6.04", "", "all"),
  record("systemd-boot-efi", "252.39-1"),
];

test("the metapackage's newest version is followed to its kernel image; its dependencies are not taken", () => {
  const { packages, problems } = resolveBootPackages(universeOf(records), { cmdline: "", onExit: "poweroff", modules: [] }, "amd64");
  assert.equal(problems, []);
  assert.equal(packages.map((p) => `${p.record.name} ${p.reason}`), [
    "isolinux boot: bootloader",
    "linux-image-6.1.0-40-cloud-amd64 boot: kernel (linux-image-cloud-amd64)",
    "syslinux-common boot: bootloader",
    "systemd-boot-efi boot: bootloader",
  ]);
});

test("a kernel image package named directly is taken as it is; an unknown one is a problem", () => {
  const direct = resolveBootPackages(universeOf(records), { kernel: "linux-image-6.1.0-39-cloud-amd64", cmdline: "", onExit: "poweroff", modules: [] }, "amd64");
  assert.ok(direct.packages.some((p) => p.record.name === "linux-image-6.1.0-39-cloud-amd64" && p.reason === "boot: kernel"));
  const missing = resolveBootPackages(universeOf(records), { kernel: "linux-image-nope", cmdline: "", onExit: "poweroff", modules: [] }, "amd64");
  assert.equal(missing.problems, [{ kind: "unknown", name: "linux-image-nope", role: "kernel" }]);
});

test.run();
