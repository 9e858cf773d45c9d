import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { replaceDirectory, replaceFile } from "../backends/atomic.js";
import { bootIso } from "../backends/iso/boot-iso.js";
import { initElf } from "../boot/init-elf.js";
import { initPlanOf } from "../boot/init-plan.js";
import { buildInitramfs } from "../boot/initramfs.js";
import type { BlobStore } from "../cache/store.js";
import { unpackDeb, type PackageManifest } from "../extract/unpack.js";
import type { Spec } from "../types/spec.js";
import type { Blob } from "../backends/oci.js";
import { treeOf, type TreeResult } from "./steps.js";

/** Where each boot file lives in its Debian package. */
const IN_PACKAGE = {
  isolinux: "/usr/lib/ISOLINUX/isolinux.bin",
  ldlinux: "/usr/lib/syslinux/modules/bios/ldlinux.c32",
  systemdBoot: { amd64: "/usr/lib/systemd/boot/efi/systemd-bootx64.efi", arm64: "/usr/lib/systemd/boot/efi/systemd-bootaa64.efi" },
} as const;

/** The `initramfs` step: the generated init plus the image tree, as a gzip'd newc cpio in the cache. */
export async function initramfsStep(spec: Spec, store: BlobStore, params: Readonly<Record<string, unknown>>, tree: TreeResult): Promise<Blob> {
  const arch = String(params["arch"]) as "amd64" | "arm64";
  const init = initElf(initPlanOf(spec, arch, params["onExit"] === "restart" ? "restart" : "poweroff"));
  const bytes = await buildInitramfs(treeOf(tree), init, (sha) => store.read(sha), Number(params["epoch"]));
  const { sha256, size } = await store.putBytes(bytes);
  return { digest: `sha256:${sha256}`, size };
}

/** The `iso` step: kernel and bootloaders from their packages, the initramfs, into one ISO in the cache. */
export async function isoStep(store: BlobStore, params: Readonly<Record<string, unknown>>, initramfs: Blob, unpacked: readonly { name: string; deb: string }[]): Promise<Blob> {
  const arch = String(params["arch"]) as "amd64" | "arm64";
  const manifests: PackageManifest[] = [];
  for (const u of unpacked) manifests.push(await unpackDeb(store, u.deb));
  const kernel = await kernelOf(manifests, store);
  const find = async (path: string) => {
    for (const m of manifests) {
      const e = m.entries.find((x) => x.path === path && x.kind === "file");
      if (e?.kind === "file") return store.read(e.sha256);
    }
    return undefined;
  };
  const bin = arch === "amd64" ? await find(IN_PACKAGE.isolinux) : undefined;
  const ldlinux = arch === "amd64" ? await find(IN_PACKAGE.ldlinux) : undefined;
  const efi = await find(IN_PACKAGE.systemdBoot[arch]);
  if (efi === undefined || (arch === "amd64" && (bin === undefined || ldlinux === undefined))) throw new Error(`the bootloader packages lack their files for ${arch}`);
  const chunks = bootIso({
    volumeId: String(params["name"]).toUpperCase().replace(/[^A-Z0-9_]/g, "_").slice(0, 32) || "MCC",
    epoch: Number(params["epoch"]),
    cmdline: String(params["cmdline"]),
    files: {
      kernel,
      initrd: await store.read(initramfs.digest.replace(/^sha256:/, "")),
      ...(bin === undefined || ldlinux === undefined ? {} : { isolinux: { bin, ldlinux } }),
      efiLoader: { name: arch === "amd64" ? "BOOTX64.EFI" : "BOOTAA64.EFI", bytes: efi },
    },
  });
  // Through a file into the cache: an ISO is tens of MB, and its digest is its name there.
  const temp = join(store.root, "tmp", `iso-${randomBytes(8).toString("hex")}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(temp, { flags: "wx" });
      out.on("error", reject);
      out.on("finish", () => resolve());
      for (const c of chunks) out.write(c);
      out.end();
    });
    const { sha256, size } = await store.put(createReadStream(temp));
    return { digest: `sha256:${sha256}`, size };
  } finally {
    await rm(temp, { force: true });
  }
}

/** `/boot/vmlinuz-*` of the kernel package. */
async function kernelOf(manifests: readonly PackageManifest[], store: BlobStore): Promise<Uint8Array> {
  for (const m of manifests) {
    const e = m.entries.find((x) => x.kind === "file" && /^\/boot\/vmlinu[xz]-/.test(x.path));
    if (e?.kind === "file") return store.read(e.sha256);
  }
  throw new Error("the kernel package has no /boot/vmlinuz-*");
}

/** Writes an ISO output: the cached image copied into place. */
export async function emitIso(store: BlobStore, iso: Blob, target: string): Promise<void> {
  await replaceFile(target, (temp) => copyFile(store.pathOf(iso.digest.replace(/^sha256:/, "")), temp));
}

/** Writes a kernel+initrd output: `vmlinuz`, `initrd.img` and `cmdline`, for `qemu -kernel` or network boot. */
export async function emitKernelInitrd(store: BlobStore, initramfs: Blob, kernelDeb: { deb: string }, cmdline: string, target: string): Promise<void> {
  const kernel = await kernelOf([await unpackDeb(store, kernelDeb.deb)], store);
  await replaceDirectory(target, async (dir) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "vmlinuz"), kernel);
    await copyFile(store.pathOf(initramfs.digest.replace(/^sha256:/, "")), join(dir, "initrd.img"));
    await writeFile(join(dir, "cmdline"), `${cmdline}\n`);
  });
}
