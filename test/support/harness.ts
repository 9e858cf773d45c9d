// Runs one test file in its own process, for test/runner.mjs: `node harness.js FILE`. uvu's
// tests are queued (as its own CLI does), run, and then whatever the tests registered and did
// not stop (test/support/children.ts) is stopped, and the process exits with uvu's status
// whatever handles are left open: a server a failed test never closed cannot keep it alive.
// Stopped from outside (the runner's time limit), it says what was still running first.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { stillRunning, stopAll } from "./children.js";

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: harness.js TEST_FILE");
  process.exit(2);
}

const queued = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][]; UVU_INDEX?: number };
queued.UVU_DEFER = 1;
queued.UVU_QUEUE = [[null]];
queued.UVU_INDEX = 0;

let stopping = false;
async function finish(code: number, why: string): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  const left = stillRunning();
  if (left.length > 0) console.log(`\n  ${why}: ${left.join("; ")}`);
  await stopAll();
  process.exit(code);
}

process.on("SIGTERM", () => void finish(1, "stopped at the time limit while these were running"));
process.on("SIGINT", () => void finish(130, "interrupted while these were running"));

const uvu = await import("uvu");
try {
  await import(pathToFileURL(resolve(file)).href);
} catch (error) {
  console.log(`  the test file failed to load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await finish(1, "stopped after the load failure");
}
await uvu.exec();
const code = typeof process.exitCode === "number" ? process.exitCode : 0;
await finish(code, "still running after the tests, stopped");
