import type { CliIo } from "../../src/cli/io.js";
import { createNodeHost } from "../../src/host/node-host.js";
import type { Host } from "../../src/host/host.js";

/** A CliIo that records what mcc prints, for running commands in-process. */
export function captureIo(options: { host?: Host; env?: Record<string, string>; tty?: boolean } = {}): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: "", stderr: "" };
  const io: CliIo = {
    host: options.host ?? createNodeHost(),
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    stderrIsTty: options.tty ?? false,
    color: false,
    hostArch: "amd64",
    isRoot: process.getuid?.() === 0,
    env: options.env ?? {},
  };
  return { io, out };
}
