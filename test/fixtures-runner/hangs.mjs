// A test that waits forever on a child that never ends: the time limit must stop it and
// name what it was waiting on.
import { spawn } from "node:child_process";
import { test } from "uvu";
import { record } from "./common.mjs";

test("waits on a process that never ends", async () => {
  const child = spawn("sleep", ["3600"], { stdio: "ignore" });
  record(child.pid, "sleep");
  await new Promise((resolve) => child.on("exit", resolve));
});

test.run();
