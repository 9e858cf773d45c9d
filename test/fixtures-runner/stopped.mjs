// A file that is running when the whole run is stopped (Ctrl-C, a cancelled CI job): it has a
// daemon that escaped its process group and a child it waits on. The runner, stopped by a
// signal, must kill both before it goes.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import { record, startServerChild } from "./common.mjs";

test("waits, with a daemon and a child, until the run is stopped", async () => {
  const daemon = await startServerChild({ detached: true });
  daemon.unref();
  const child = spawn("sleep", ["3600"], { stdio: "ignore" });
  record(child.pid, "sleep");
  // Tells the runner's test that both are up and the run can be stopped now.
  appendFileSync(join(process.env.RUNNER_FIXTURE_PIDS, "ready"), "ready\n");
  await new Promise((resolve) => child.on("exit", resolve));
});

test.run();
