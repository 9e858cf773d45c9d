// Booting an initramfs under qemu's software emulation and reading the serial console, for the
// boot tests of both architectures; and the image tree mcc builds for a spec.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as assert from "uvu/assert";
import type { ImageTree } from "../../src/assemble/image-tree.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { traceImage } from "../../src/pipeline/why.js";
import type { Spec } from "../../src/types/spec.js";
import { runMcc, sharedTestCache } from "./io.js";

/** Generous: software emulation on two shared cores; a boot takes seconds when the machine is idle. */
export const BOOT_TIMEOUT_MS = 120_000;

/** How qemu boots a kernel directly on each architecture, and where the serial console is. */
export const MACHINES = {
  amd64: { qemu: "qemu-system-x86_64", pkg: "qemu-system-x86", args: [], console: "ttyS0" },
  arm64: { qemu: "qemu-system-aarch64", pkg: "qemu-system-arm", args: ["-M", "virt", "-cpu", "cortex-a57"], console: "ttyAMA0" },
} as const;

export interface Console {
  /** The console's lines, terminal control sequences removed. */
  readonly lines: string[];
  readonly status: number | null;
  readonly seconds: number;
}

/** Boots `vmlinuz` with `initrd` and returns when qemu exits by itself (the guest powered off). */
export function bootQemu(arch: keyof typeof MACHINES, vmlinuz: string, initrd: string, extra: readonly string[] = []): Console {
  const machine = MACHINES[arch];
  const started = Date.now();
  const run = spawnSync(
    machine.qemu,
    [...machine.args, ...extra, "-accel", "tcg", "-nographic", "-no-reboot", "-m", "256", "-kernel", vmlinuz, "-initrd", initrd, "-append", `console=${machine.console} panic=-1 quiet`],
    { encoding: "utf8", timeout: BOOT_TIMEOUT_MS, killSignal: "SIGKILL", input: "", maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (Date.now() - started) / 1000;
  assert.is(run.error, undefined, `${machine.qemu} did not run: ${String(run.error)}`);
  assert.is(run.signal, null, `qemu did not exit by itself within ${BOOT_TIMEOUT_MS / 1000} s; the console said:\n${run.stdout}`);
  // The firmware's and the kernel's terminal resets (ESC c, ESC [2J...) are not text; and the
  // firmware's last line may lack its newline, so what follows starts mid-line.
  const text = run.stdout.replace(/\x1b(c|\[[0-9;?]*[A-Za-z])/g, "");
  return { lines: text.split(/\r?\n/), status: run.status, seconds };
}

/**
 * The init's own lines: from `mcc: ` to the end of the line, wherever the line starts; but for
 * the notice that a volume has no disk (so in memory), which the tests of volumes read.
 */
export function mccLines(lines: readonly string[]): string[] {
  return lines.flatMap((l) => /mcc: .*$/.exec(l) ?? []).filter((l) => !l.startsWith("mcc: no disk labelled "));
}

/** The first line matching `pattern`, or a failure showing the whole console. */
export function expectLine(lines: readonly string[], pattern: RegExp): RegExpExecArray {
  for (const line of lines) {
    const m = pattern.exec(line);
    if (m !== null) return m;
  }
  assert.unreachable(`no line matches ${pattern} on the console:\n${lines.join("\n")}`);
  throw new Error("unreachable");
}

/** The spec (written to `specPath`), locked and built by mcc for `arch`: its image tree and a blob reader. */
export async function microcontainer(specPath: string, specText: string, arch: "amd64" | "arm64"): Promise<{ spec: Spec; tree: ImageTree; read: (sha256: string) => Promise<Uint8Array> }> {
  writeFileSync(specPath, specText);
  const locked = await runMcc(["lock", specPath, "-q"]);
  assert.is(locked.code, 0, locked.stderr);
  const traced = await traceImage(createNodeHost(), {
    specPath,
    hostArch: "amd64",
    arch,
    lock: { cacheRoot: sharedTestCache, update: false, frozen: true, offline: false, allowExpired: false, env: process.env },
    epoch: 0,
    cwd: process.cwd(),
    cacheRoot: sharedTestCache,
    env: process.env,
    offline: false,
  });
  if (traced.kind !== "traced") throw new Error(`the image was not traced: ${JSON.stringify(traced)}`);
  return { spec: traced.loaded.spec, tree: traced.tree, read: (sha) => traced.store.read(sha) };
}
