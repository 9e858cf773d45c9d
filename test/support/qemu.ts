// Boots an image in qemu under software emulation (no KVM needed), reading the serial console.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasQemu = spawnSync("qemu-system-x86_64", ["--version"]).status === 0;

/** Debian's ovmf: the UEFI firmware's code and a template of its variable store. */
export const OVMF = { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" };
export const hasOvmf = existsSync(OVMF.code) && existsSync(OVMF.vars);

export interface BootResult {
  /** Everything the serial console printed. */
  readonly console: string;
  /** qemu's exit code; null when it had to be killed at the time limit. */
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly seconds: number;
}

export type Firmware = "bios" | "uefi";

/**
 * Boots `-cdrom ISO` (or `-kernel/-initrd`) with `-nographic -no-reboot`: the guest's power
 * off or reboot ends qemu. Stops it after `timeoutSeconds` and says so.
 */
export async function boot(
  media: { iso: string } | { kernel: string; initrd: string; cmdline: string },
  options: { firmware?: Firmware; timeoutSeconds?: number; memoryMiB?: number } = {},
): Promise<BootResult> {
  const firmware = options.firmware ?? "bios";
  const scratch = mkdtempSync(join(tmpdir(), "mcc-qemu-"));
  const args = ["-nographic", "-no-reboot", "-accel", "tcg", "-m", String(options.memoryMiB ?? 512), "-nodefaults", "-serial", "stdio", "-monitor", "none"];
  if (firmware === "uefi") {
    const vars = join(scratch, "vars.fd");
    copyFileSync(OVMF.vars, vars);
    args.push("-drive", `if=pflash,format=raw,readonly=on,file=${OVMF.code}`, "-drive", `if=pflash,format=raw,file=${vars}`);
  }
  if ("iso" in media) args.push("-drive", `file=${media.iso},media=cdrom,readonly=on,format=raw`, "-boot", "d");
  else args.push("-kernel", media.kernel, "-initrd", media.initrd, "-append", media.cmdline);
  const started = process.hrtime.bigint();
  const child = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, (options.timeoutSeconds ?? 180) * 1000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  rmSync(scratch, { recursive: true, force: true });
  return { console: out.replace(/\r/g, ""), code, timedOut, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
