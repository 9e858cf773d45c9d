// A bootable disk image (UEFI): a GPT disk whose one partition is the EFI System Partition the
// ISO carries too (systemd-boot, each architecture's kernel and initramfs). For clouds and VMs
// that boot disks, not CDs; as raw bytes, or qcow2 (src/backends/disk/qcow2.ts). Pure.
import { espFiles, type ArchBoot } from "../iso/boot-iso.js";
import { writeFatImage } from "../iso/fat.js";
import { ESP_TYPE, gptDisk } from "./gpt.js";

export function bootDisk(options: { name: string; epoch: number; boots: readonly ArchBoot[] }): { bytes: number; chunks: Uint8Array[] } {
  const { image } = writeFatImage({ label: "MCC-EFI", epoch: options.epoch, files: espFiles(options.boots), align: 512 });
  return gptDisk({ name: options.name, partition: image, type: ESP_TYPE, label: "EFI System" });
}
