// What a test starts and must stop: child processes, servers, containers. The helpers that
// start something register it here with a label; when it stops by itself (or the test stops
// it) it leaves the list. The harness (test/support/harness.ts) stops whatever is left once a
// file's tests have run, or when the runner stops the file at its time limit, and says what
// it stopped, so a failed test cannot leave a registry or a VM behind to keep the run alive.
import type { ChildProcess } from "node:child_process";
import type { Server } from "node:net";

interface Started {
  readonly label: string;
  readonly stop: () => void | Promise<void>;
}

const started = new Set<Started>();

/** Registers `stop` under `label`; the returned function takes it off the list (call it once stopped). */
export function onStop(label: string, stop: () => void | Promise<void>): () => void {
  const entry: Started = { label, stop };
  started.add(entry);
  return () => void started.delete(entry);
}

/**
 * Registers a child process; it leaves the list when it exits. Stopping it kills it (its
 * whole process group when it was started `detached`, which makes it a group leader).
 */
export function trackChild<C extends ChildProcess>(child: C, label: string, options: { detached?: boolean } = {}): C {
  const done = onStop(`${label} (pid ${child.pid ?? "?"})`, () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      if (options.detached === true) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Gone between the check and the kill.
    }
  });
  child.once("exit", done);
  child.once("error", done);
  return child;
}

/** Registers a listening server; it leaves the list when it closes. Stopping it drops its connections. */
export function trackServer<S extends Server>(server: S, label: string): S {
  const done = onStop(label, () => {
    const s = server as Server & { closeAllConnections?: () => void };
    s.closeAllConnections?.();
    server.close();
  });
  server.once("close", done);
  return server;
}

/** The labels of what is still running, oldest first. */
export function stillRunning(): string[] {
  return [...started].map((s) => s.label);
}

/**
 * Stops everything still registered, newest first (a container before the registry it
 * pulls from), each given at most `limitMs`; returns the labels it stopped.
 */
export async function stopAll(limitMs = 10_000): Promise<string[]> {
  const entries = [...started].reverse();
  started.clear();
  for (const entry of entries) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve()
        .then(entry.stop)
        .catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
    ]);
    clearTimeout(timer);
  }
  return entries.map((e) => e.label);
}
