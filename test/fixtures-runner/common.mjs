// Helpers for the runner fixtures: start a child that serves (and so keeps an event loop
// alive) and record its pid for the runner test to check.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";

export function record(pid, what) {
  appendFileSync(join(process.env.RUNNER_FIXTURE_PIDS, "pids"), `${pid} ${what}\n`);
}

/** A node http server on a free loopback port, in a child process; resolves once it listens. */
export function startServerChild(options = {}) {
  const script = "require('node:http').createServer((q, s) => s.end('up')).listen(0, '127.0.0.1', () => console.log('listening'))";
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"], ...options });
  record(child.pid, "server child");
  return new Promise((resolve) => child.stdout.once("data", () => resolve(child)));
}
