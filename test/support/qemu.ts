// Boots an image in qemu under software emulation (no KVM needed), reading the serial console.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, truncateSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackChild } from "./children.js";


/** Debian's ovmf: the UEFI firmware's code and a template of its variable store. */
export const OVMF = { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" };
/** Debian's qemu-efi-aarch64: the same for arm64 (qemu's virt machine wants 64 MiB flash images). */
export const AAVMF = { code: "/usr/share/AAVMF/AAVMF_CODE.fd", vars: "/usr/share/AAVMF/AAVMF_VARS.fd" };

export interface BootResult {
  /** Everything the serial console printed. */
  readonly console: string;
  /** qemu's exit code; null when it had to be killed at the time limit. */
  readonly code: number | null;
  readonly timedOut: boolean;
  /** The console printed nothing for `silentSeconds` and qemu was stopped then (timedOut is also true). */
  readonly stalled: boolean;
  readonly seconds: number;
}

/** BIOS and UEFI on amd64 (SeaBIOS, OVMF); UEFI on arm64 (AAVMF, qemu's virt machine). */
export type Firmware = "bios" | "uefi" | "uefi-arm64";

/**
 * Boots `-cdrom ISO` (or `-kernel/-initrd`) with `-nographic -no-reboot`: the guest's power
 * off or reboot ends qemu. Stops it after `timeoutSeconds` (default 600), or once the console has
 * been silent for `silentSeconds`, and says so. A boot
 * takes about 5 s (amd64) or 10 s (arm64 UEFI) on an idle machine; software emulation slows
 * down many times over when the machine's cores are busy, so the limit only catches a hang.
 */
export async function boot(
  media: { iso: string } | { kernel: string; initrd: string; cmdline: string },
  options: {
    firmware?: Firmware;
    timeoutSeconds?: number;
    /** Stop early when the console stays silent this long (default 240): a hang, not a slow boot. */
    silentSeconds?: number;
    memoryMiB?: number;
    onConsole?: (soFar: string) => void;
    /** A command for qemu's monitor (`system_powerdown`), sent a second after the console first matches `at`. */
    monitor?: { at: RegExp; command: string };
  } = {},
): Promise<BootResult> {
  const firmware = options.firmware ?? "bios";
  const scratch = mkdtempSync(join(tmpdir(), "mcc-qemu-"));
  const arm = firmware === "uefi-arm64";
  const args = [...(arm ? ["-M", "virt", "-cpu", "cortex-a57"] : []), "-nographic", "-no-reboot", "-accel", "tcg", "-m", String(options.memoryMiB ?? 512), "-nodefaults", "-serial", "stdio", "-monitor", options.monitor === undefined ? "none" : `unix:${join(scratch, "monitor.sock")},server,nowait`];
  if (firmware !== "bios") {
    const { code, vars } = arm ? AAVMF : OVMF;
    const codeCopy = join(scratch, "code.fd");
    const varsCopy = join(scratch, "vars.fd");
    copyFileSync(code, codeCopy);
    copyFileSync(vars, varsCopy);
    if (arm) for (const f of [codeCopy, varsCopy]) truncateSync(f, 64 << 20);
    args.push("-drive", `if=pflash,format=raw,readonly=on,file=${codeCopy}`, "-drive", `if=pflash,format=raw,file=${varsCopy}`);
  }
  if ("iso" in media && arm) args.push("-device", "virtio-scsi-pci", "-drive", `if=none,id=cd,file=${media.iso},media=cdrom,readonly=on,format=raw`, "-device", "scsi-cd,drive=cd");
  else if ("iso" in media) args.push("-drive", `file=${media.iso},media=cdrom,readonly=on,format=raw`, "-boot", "d");
  else args.push("-kernel", media.kernel, "-initrd", media.initrd, "-append", media.cmdline);
  const started = process.hrtime.bigint();
  const child = trackChild(spawn(arm ? "qemu-system-aarch64" : "qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] }), `qemu booting ${"iso" in media ? media.iso : media.kernel} (${firmware})`);
  let out = "";
  let monitorSent = false;
  let lastOutput = Date.now();
  child.stdout.on("data", (d: Buffer) => {
    lastOutput = Date.now();
    out += d.toString("latin1");
    options.onConsole?.(out);
    const monitor = options.monitor;
    if (monitor !== undefined && !monitorSent && monitor.at.test(out.replace(/\r/g, ""))) {
      monitorSent = true;
      // A moment for the guest to be ready for it (the init's watchers reading their devices).
      setTimeout(() => {
        const socket = createConnection(join(scratch, "monitor.sock"), () => socket.end(`${monitor.command}\n`));
        socket.on("error", () => undefined);
      }, 1000);
    }
  });
  child.stderr.on("data", (d: Buffer) => {
    lastOutput = Date.now();
    out += d.toString("latin1");
  });
  let timedOut = false;
  let stalled = false;
  // Once a second: past the time limit, or silent too long (a hang, not a slow boot).
  const deadline = Date.now() + (options.timeoutSeconds ?? 600) * 1000;
  const silentMs = (options.silentSeconds ?? 240) * 1000;
  const watch = setInterval(() => {
    stalled = Date.now() - lastOutput >= silentMs;
    if (!stalled && Date.now() < deadline) return;
    timedOut = true;
    child.kill("SIGKILL");
  }, 1000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearInterval(watch);
  rmSync(scratch, { recursive: true, force: true });
  // Firmware clears the screen with terminal control sequences: gone, so lines read as printed.
  const console = out.replace(/\r/g, "").replace(/\x1b\[[0-9;?=]*[A-Za-z]|\x1bc|\x1b[()][0-9A-Za-z]/g, "");
  return { console, code, timedOut, stalled, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
