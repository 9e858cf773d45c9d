import { writeFat } from "./fat.js";
import { writeIso } from "./iso9660.js";

/** The files of a bootable ISO, taken from Debian's packages and the build. */
export interface BootFiles {
  /** The kernel image (`/boot/vmlinuz-*` of the kernel package). */
  readonly kernel: Uint8Array;
  /** The initramfs written by mcc (newc cpio, gzip). */
  readonly initrd: Uint8Array;
  /** BIOS: ISOLINUX's El Torito image and its core module (packages isolinux, syslinux-common). */
  readonly isolinux?: { readonly bin: Uint8Array; readonly ldlinux: Uint8Array };
  /** UEFI: systemd-boot (package systemd-boot-efi), started from the EFI System Partition. */
  readonly efiLoader?: { readonly name: "BOOTX64.EFI" | "BOOTAA64.EFI"; readonly bytes: Uint8Array };
}

/**
 * A boot-ready ISO 9660 image: BIOS boots ISOLINUX from the El Torito no-emulation entry and it
 * loads `/MCC/VMLINUZ` and `/MCC/INITRD.GZ` from the ISO; UEFI boots systemd-boot from a FAT
 * EFI System Partition image (the second El Torito entry), which holds its own copy of the
 * kernel and initramfs (firmware and systemd-boot read FAT, not ISO 9660). No menu, no wait:
 * each loader boots its one entry at once. Pure; the same inputs give the same bytes.
 */
export function bootIso(options: { volumeId: string; epoch: number; cmdline: string; files: BootFiles }): Buffer[] {
  const { kernel, initrd, isolinux, efiLoader } = options.files;
  const text = (s: string) => new TextEncoder().encode(s);
  const files: { path: string; bytes: Uint8Array }[] = [
    { path: "/MCC/VMLINUZ", bytes: kernel },
    { path: "/MCC/INITRD.GZ", bytes: initrd },
  ];
  if (isolinux !== undefined) {
    files.push(
      { path: "/ISOLINUX/ISOLINUX.BIN", bytes: isolinux.bin },
      { path: "/ISOLINUX/LDLINUX.C32", bytes: isolinux.ldlinux },
      // SERIAL: ISOLINUX speaks on the first serial port too, where a headless VM's console is.
      { path: "/ISOLINUX/ISOLINUX.CFG", bytes: text(["SERIAL 0 115200", "DEFAULT mcc", "PROMPT 0", "TIMEOUT 0", "LABEL mcc", "  KERNEL /MCC/VMLINUZ", "  INITRD /MCC/INITRD.GZ", `  APPEND ${options.cmdline}`, ""].join("\n")) },
    );
  }
  if (efiLoader !== undefined) {
    const esp = writeFat({
      label: "MCC-EFI",
      epoch: options.epoch,
      files: [
        { path: `/EFI/BOOT/${efiLoader.name}`, bytes: efiLoader.bytes },
        { path: "/LOADER/LOADER.CONF", bytes: text("timeout 0\ndefault mcc.conf\n") },
        { path: "/LOADER/ENTRIES/MCC.CONF", bytes: text(`title mcc\nlinux /MCC/VMLINUZ\ninitrd /MCC/INITRD.GZ\noptions ${options.cmdline}\n`) },
        { path: "/MCC/VMLINUZ", bytes: kernel },
        { path: "/MCC/INITRD.GZ", bytes: initrd },
      ],
    });
    files.push({ path: "/EFI/ESP.IMG", bytes: esp });
  }
  return writeIso({
    volumeId: options.volumeId,
    epoch: options.epoch,
    files,
    boot: {
      ...(isolinux === undefined ? {} : { bios: { image: "/ISOLINUX/ISOLINUX.BIN", catalog: "/ISOLINUX/BOOT.CAT" } }),
      ...(efiLoader === undefined ? {} : { efi: { image: "/EFI/ESP.IMG" } }),
    },
  });
}
