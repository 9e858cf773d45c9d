#!/usr/bin/env node
// The test command (`npm test`): type-check and build, then run every test with uvu, and
// close with the plain line CI reads: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const closing = (passed, failed, skipped) =>
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);

// 0. The Debian tools the tests drive for real, installed when missing and we are root
//    (CI and fresh machines); otherwise the tests that need them say what is missing.
const tools = { gpg: "gpg", "gpg-agent": "gpg-agent", gpgconf: "gpgconf", xz: "xz-utils", "dpkg-deb": "dpkg", "dpkg-query": "dpkg", "apt-get": "apt", runc: "runc", strace: "strace", skopeo: "skopeo", umoci: "umoci", "oci-image-tool": "oci-image-tool", "docker-registry": "docker-registry", htpasswd: "apache2-utils", openssl: "openssl", "qemu-aarch64-static": "qemu-user-static", "qemu-system-x86_64": "qemu-system-x86", xorriso: "xorriso", "fsck.vfat": "dosfstools", mdir: "mtools", cpio: "cpio", objdump: "binutils", readelf: "binutils", gcc: "gcc libc6-dev", "qemu-system-aarch64": "qemu-system-arm", "aarch64-linux-gnu-objdump": "binutils-aarch64-linux-gnu", chromium: "chromium", mmdebstrap: "mmdebstrap" };
// Files, not commands: the UEFI firmware qemu boots with.
const files = { "/usr/share/OVMF/OVMF_CODE_4M.fd": "ovmf", "/usr/share/AAVMF/AAVMF_CODE.fd": "qemu-efi-aarch64" };
const missing = [
  ...Object.entries(tools).filter(([cmd]) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0),
  ...Object.entries(files).filter(([file]) => !existsSync(file)),
];
if (missing.length > 0 && process.getuid?.() === 0) {
  // A value may name several packages: gcc links statically only with libc6-dev, a recommends.
  const pkgs = [...new Set(missing.flatMap(([, pkg]) => pkg.split(" ")))];
  console.log(`installing ${pkgs.join(" ")} for the tests`);
  spawnSync("apt-get", ["update", "-q"], { stdio: "inherit" });
  spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...pkgs], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
} else if (missing.length > 0) {
  console.log(`missing tools (not root, so not installed): ${missing.map(([c]) => c).join(", ")}`);
}

// 1. Type-check and build (src and test) with the project's TypeScript.
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.log("the TypeScript build failed; no test was run");
  closing(0, 1, 0);
  process.exit(1);
}
// The bin must stay executable for `npx mcc`, as `npm run build` leaves it.
chmodSync(join(root, "dist", "src", "cli", "main.js"), 0o755);

// 2. Run the tests. uvu prints its own report; we read its totals for the closing line.
const only = process.argv[2];
const pattern = only === undefined ? "\\.test\\.js$" : `(${only}).*\\.test\\.js$`;
const uvu = spawnSync(process.execPath, [join(root, "node_modules", "uvu", "bin.js"), "dist/test", pattern, "--no-color"], {
  cwd: root,
  env: { ...process.env, FORCE_COLOR: "0" },
  encoding: "utf8",
  maxBuffer: 256 * 1024 * 1024,
});
process.stdout.write(uvu.stdout ?? "");
process.stderr.write(uvu.stderr ?? "");
const plain = (uvu.stdout ?? "").replace(/\x1b\[[0-9;]*m/g, "");
const total = /Total:\s+(\d+)/.exec(plain);
const passed = /Passed:\s+(\d+)/.exec(plain);
const skipped = /Skipped:\s+(\d+)/.exec(plain);
if (total === null || passed === null) {
  console.log("the test run ended before uvu reported its totals");
  closing(passed ? Number(passed[1]) : 0, 1, 0);
  process.exit(1);
}
// A non-zero exit with every test passed (an error outside any test) still counts as a failure.
const failed = Math.max(Number(total[1]) - Number(passed[1]), uvu.status === 0 ? 0 : 1);
closing(Number(passed[1]), failed, skipped ? Number(skipped[1]) : 0);
process.exit(failed > 0 ? 1 : 0);
