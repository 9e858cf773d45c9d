import { writeFatImage } from "./fat.js";
import { SECTOR } from "./iso-fields.js";
import { writeIso, type IsoAlias } from "./iso9660.js";

/** What boots one architecture, taken from Debian's packages and the build. */
export interface ArchBoot {
  readonly arch: "amd64" | "arm64";
  /** The kernel image (`/boot/vmlinuz-*` of the kernel package). */
  readonly kernel: Uint8Array;
  /** The initramfs written by mcc (newc cpio, gzip). */
  readonly initrd: Uint8Array;
  readonly cmdline: string;
  /** BIOS (amd64): ISOLINUX's El Torito image and its core module (packages isolinux, syslinux-common). */
  readonly isolinux?: { readonly bin: Uint8Array; readonly ldlinux: Uint8Array };
  /** UEFI: systemd-boot for the architecture (package systemd-boot-efi). */
  readonly systemdBoot: Uint8Array;
}

/** UEFI's names for the architectures: the removable-media loader and systemd-boot's `architecture`. */
const UEFI = { amd64: { loader: "BOOTX64.EFI", arch: "x64" }, arm64: { loader: "BOOTAA64.EFI", arch: "aa64" } } as const;

/**
 * A boot-ready ISO 9660 image for one or several architectures. BIOS boots ISOLINUX from the
 * El Torito no-emulation entry, which loads amd64's `/MCC/AMD64/VMLINUZ` and `INITRD.GZ` from
 * the ISO. UEFI boots from a FAT EFI System Partition image (the second El Torito entry): the
 * firmware starts its architecture's removable-media loader (`BOOTX64.EFI`, `BOOTAA64.EFI`,
 * both systemd-boot), and systemd-boot boots the one entry whose `architecture` is its own;
 * the kernels and initramfs live in the ESP (firmware reads FAT, not ISO 9660), whose files
 * start on 2048-byte boundaries, so ISOLINUX's ISO 9660 records name the same sectors: each
 * is stored once. No menu and no wait anywhere. Pure; the same inputs give the same bytes.
 */
export function bootIso(options: { volumeId: string; epoch: number; boots: readonly ArchBoot[] }): Buffer[] {
  const text = (s: string) => new TextEncoder().encode(s);
  const files: { path: string; bytes: Uint8Array }[] = [];
  let bios: { image: string; catalog: string } | undefined;
  const aliases: { path: string; inEsp: string }[] = [];
  for (const b of options.boots) {
    const dir = `/MCC/${b.arch.toUpperCase()}`;
    aliases.push({ path: `${dir}/VMLINUZ`, inEsp: `/mcc/${b.arch}/vmlinuz` }, { path: `${dir}/INITRD.GZ`, inEsp: `/mcc/${b.arch}/initrd.gz` });
    if (b.isolinux !== undefined && bios === undefined) {
      files.push(
        { path: "/ISOLINUX/ISOLINUX.BIN", bytes: b.isolinux.bin },
        { path: "/ISOLINUX/LDLINUX.C32", bytes: b.isolinux.ldlinux },
        // SERIAL: ISOLINUX speaks on the first serial port too, where a headless VM's console is.
        { path: "/ISOLINUX/ISOLINUX.CFG", bytes: text(["SERIAL 0 115200", "DEFAULT mcc", "PROMPT 0", "TIMEOUT 0", "LABEL mcc", `  KERNEL ${dir}/VMLINUZ`, `  INITRD ${dir}/INITRD.GZ`, `  APPEND ${b.cmdline}`, ""].join("\n")) },
      );
      bios = { image: "/ISOLINUX/ISOLINUX.BIN", catalog: "/ISOLINUX/BOOT.CAT" };
    }
  }
  const esp = espFiles(options.boots);
  const { image, offsets } = writeFatImage({ label: "MCC-EFI", epoch: options.epoch, files: esp, align: SECTOR });
  files.push({ path: "/EFI/ESP.IMG", bytes: image });
  const isoAliases: IsoAlias[] = aliases.map((a) => {
    const offset = offsets.get(a.inEsp);
    const size = esp.find((f) => f.path === a.inEsp)?.bytes.length;
    if (offset === undefined || size === undefined) throw new Error(`the ESP has no ${a.inEsp}`);
    return { path: a.path, of: "/EFI/ESP.IMG", offset, size };
  });
  return writeIso({ volumeId: options.volumeId, epoch: options.epoch, files, aliases: isoAliases, boot: { ...(bios === undefined ? {} : { bios }), efi: { image: "/EFI/ESP.IMG" } } });
}

/**
 * The EFI System Partition's files, for an ISO and a disk alike: systemd-boot as each
 * architecture's removable-media loader, its loader.conf (no menu, no wait), one entry per
 * architecture, and the kernels and initramfs.
 */
export function espFiles(boots: readonly ArchBoot[]): { path: string; bytes: Uint8Array }[] {
  const text = (s: string) => new TextEncoder().encode(s);
  const esp: { path: string; bytes: Uint8Array }[] = [{ path: "/loader/loader.conf", bytes: text("timeout 0\n") }];
  for (const b of boots) {
    const uefi = UEFI[b.arch];
    const on = `/mcc/${b.arch}`;
    esp.push(
      { path: `/EFI/BOOT/${uefi.loader}`, bytes: b.systemdBoot },
      { path: `/loader/entries/mcc-${b.arch}.conf`, bytes: text(`title mcc (${b.arch})\narchitecture ${uefi.arch}\nlinux ${on}/vmlinuz\ninitrd ${on}/initrd.gz\noptions ${b.cmdline}\n`) },
      { path: `${on}/vmlinuz`, bytes: b.kernel },
      { path: `${on}/initrd.gz`, bytes: b.initrd },
    );
  }
  return esp;
}
