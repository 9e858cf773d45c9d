import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import { runMain } from "../../src/cli/program.js";
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
    cwd: process.cwd(),
    isRoot: process.getuid?.() === 0,
    env: options.env ?? {},
  };
  return { io, out };
}

/**
 * The cache the integration tests share, as a user's is shared between builds: indexes and
 * packages are not fetched twice on one machine.
 */
export const sharedTestCache = join(tmpdir(), "mcc-test-cache");

/** Runs mcc in-process with the shared test cache; what it printed and its exit code. */
export async function runMcc(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const code = await runMain([...args, "--cache", sharedTestCache], io);
  return { code, ...out };
}
