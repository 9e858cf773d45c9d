import { parseRelations } from "../debian/relations.js";
import { compareVersions } from "../debian/version.js";
import type { PackageRecord, PackageUniverse } from "../source/packages-index.js";
import type { SpecBoot } from "../types/spec.js";

/** The kernel package an architecture boots when the spec names none. */
export const DEFAULT_KERNEL: Readonly<Record<string, string>> = { amd64: "linux-image-cloud-amd64", arm64: "linux-image-arm64" };

/** The console of the serial port qemu gives each architecture. */
export const DEFAULT_CONSOLE: Readonly<Record<string, string>> = { amd64: "ttyS0", arm64: "ttyAMA0" };

/**
 * The bootloaders an ISO of the architecture needs, by role: ISOLINUX (BIOS) and its
 * ldlinux.c32, and systemd-boot (UEFI). Their own dependencies are for installing them into a
 * system; mcc takes only these files from them.
 */
export const BOOTLOADERS: Readonly<Record<string, readonly string[]>> = {
  amd64: ["isolinux", "syslinux-common", "systemd-boot-efi"],
  arm64: ["systemd-boot-efi"],
};

/** The DHCP client an appliance with `boot.network: dhcp` runs at boot: klibc's ipconfig (Debian's initramfs uses it too) and klibc itself. */
export const DHCP_CLIENT = ["klibc-utils", "libklibc"] as const;

export type BootProblem = { readonly kind: "unknown"; readonly name: string; readonly role: "kernel" | "bootloader" | "DHCP client" };

/** A boot package: its record and why it is there. */
export interface BootPackage {
  readonly record: PackageRecord;
  readonly reason: string;
}

/**
 * The kernel and bootloader packages of a bootable output, without their dependencies
 * (kmod, initramfs-tools, ...: those install a kernel into a system; an initramfs written by
 * mcc needs only the kernel image). A kernel metapackage is followed through its
 * `linux-image-*` dependency to the package that holds `/boot/vmlinuz-*`. Pure.
 */
export function resolveBootPackages(universe: PackageUniverse, boot: SpecBoot, arch: string, dhcp = false): { packages: BootPackage[]; problems: BootProblem[] } {
  /** A name's highest version for this architecture (the first listed, of equal ones). */
  const candidate = (name: string): PackageRecord | undefined => {
    let best: PackageRecord | undefined;
    for (const r of universe.named(name)) {
      if (r.arch !== arch && r.arch !== "all") continue;
      if (best === undefined || compareVersions(r.version, best.version) > 0) best = r;
    }
    return best;
  };
  const packages: BootPackage[] = [];
  const problems: BootProblem[] = [];
  const wanted = boot.kernel ?? DEFAULT_KERNEL[arch] ?? `linux-image-${arch}`;
  let kernel = candidate(wanted);
  if (kernel === undefined) problems.push({ kind: "unknown", name: wanted, role: "kernel" });
  for (let hops = 0; kernel !== undefined && hops < 4; hops++) {
    const next = parseRelations(kernel.depends)
      .flat()
      .map((r) => r.name)
      .find((name) => name.startsWith("linux-image-") && candidate(name) !== undefined);
    if (next === undefined) break;
    kernel = candidate(next);
  }
  if (kernel !== undefined) packages.push({ record: kernel, reason: kernel.name === wanted ? "boot: kernel" : `boot: kernel (${wanted})` });
  for (const name of BOOTLOADERS[arch] ?? []) {
    const record = candidate(name);
    if (record === undefined) problems.push({ kind: "unknown", name, role: "bootloader" });
    else packages.push({ record, reason: "boot: bootloader" });
  }
  for (const name of dhcp ? DHCP_CLIENT : []) {
    const record = candidate(name);
    if (record === undefined) problems.push({ kind: "unknown", name, role: "DHCP client" });
    else packages.push({ record, reason: "boot: DHCP client" });
  }
  return { packages: packages.sort((a, b) => (a.record.name < b.record.name ? -1 : 1)), problems };
}
