// A passing test that lets go of a child holding its stdout (stdio inherited): the pipe stays
// open after the file ends, and the runner must not wait on it until the time limit.
import { spawn } from "node:child_process";
import { test } from "uvu";
import { record } from "./common.mjs";

test("a child that keeps the file's stdout, let go", () => {
  const child = spawn("sleep", ["3600"], { stdio: "inherit" });
  record(child.pid, "sleep holding stdout");
  child.unref();
});

test.run();
