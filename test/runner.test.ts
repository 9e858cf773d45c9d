// The test runner itself (test/runner.mjs), on test files that misbehave on purpose
// (test/fixtures-runner/): the run ends by itself, reports each failure against its file,
// names what a stuck file was waiting on, and leaves no process behind.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.js";

const fixtures = join(repoRoot, "test", "fixtures-runner");

/** Whether a pid is a live process (a zombie waiting for its parent counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

test("misbehaving test files: the run ends, names each failure and what a stuck file waited on, and leaves nothing running", () => {
  const pids = mkdtempSync(join(tmpdir(), "mcc-runner-"));
  try {
    const files = ["fails-with-server.mjs", "hangs.mjs", "escapes.mjs", "tracked.mjs", "inherits.mjs"].map((f) => join(fixtures, f));
    const run = spawnSync(process.execPath, [join(repoRoot, "test", "runner.mjs"), "--time-limit", "4", ...files], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, RUNNER_FIXTURE_PIDS: pids },
      timeout: 90_000,
    });
    const out = run.stdout;
    assert.is(run.error, undefined, `the runner itself did not end: ${String(run.error)}\n${out}`);
    assert.is(run.status, 1, out);
    // Progress: each file is announced before it runs, then its result line.
    const order = ["[1/5] test/fixtures-runner/fails-with-server.mjs", "FAIL test/fixtures-runner/fails-with-server.mjs: 1 passed, 1 failed", "[2/5] test/fixtures-runner/hangs.mjs", "[3/5]", "[4/5]", "ok   test/fixtures-runner/tracked.mjs: 1 passed", "[5/5]"];
    let at = 0;
    for (const line of order) {
      const i = out.indexOf(line, at);
      assert.ok(i >= 0, `"${line}" in order in:\n${out}`);
      at = i + line.length;
    }
    // The failing test's own message, and the server it left running killed and held against it.
    assert.match(out, /the deliberate failure/);
    assert.match(out, /fails-with-server\.mjs: 1 passed, 1 failed[^\n]*\n\s+left running after it ended \(now killed\): pid \d+ [^\n]*node -e/);
    // The stuck file: stopped at the limit, naming the process it waited on.
    assert.match(out, /no result after 4 s; it was waiting on:\n\s+pid \d+: sleep 3600/);
    assert.match(out, /FAIL test\/fixtures-runner\/hangs\.mjs: 0 passed, 1 failed[^\n]*\n\s+stopped at its time limit of 4 s/);
    // The daemon that left the process group is found by the run's token.
    assert.match(out, /FAIL test\/fixtures-runner\/escapes\.mjs: 1 passed, 1 failed[^\n]*\n\s+left running after it ended \(now killed\): pid \d+/);
    // A registered server is stopped by the harness, and the file passes.
    assert.match(out, /still running after the tests, stopped: a registered http server/);
    // A child holding the file's stdout does not keep the run waiting: it is killed when the file
    // ends, well before the time limit, and held against the file.
    assert.match(out, /FAIL test\/fixtures-runner\/inherits\.mjs: 1 passed, 1 failed \((\d+\.\d) s\)\n\s+left running after it ended \(now killed\): pid \d+ sleep 3600/);
    assert.ok(Number(/inherits\.mjs: 1 passed, 1 failed \((\d+\.\d) s\)/.exec(out)?.[1]) < 4, "ended before the time limit");
    assert.match(out, /failed files:\n {2}test\/fixtures-runner\/fails-with-server\.mjs[^\n]*\n {2}test\/fixtures-runner\/hangs\.mjs[^\n]*\n {2}test\/fixtures-runner\/escapes\.mjs[^\n]*\n {2}test\/fixtures-runner\/inherits\.mjs/);
    assert.match(out, /\n4 passed, 4 failed\n$/);
    const started = readFileSync(join(pids, "pids"), "utf8").trim().split("\n");
    assert.is(started.length, 4, started.join("\n"));
    const survivors = started.filter((line) => alive(Number(line.split(" ")[0])));
    assert.equal(survivors, [], "no process started by the fixtures is left");
  } finally {
    rmSync(pids, { recursive: true, force: true });
  }
});

test("a run stopped by a signal kills what its running file started, reports it, and exits as signalled", async () => {
  const pids = mkdtempSync(join(tmpdir(), "mcc-runner-"));
  const files = ["tracked.mjs", "stopped.mjs", "hangs.mjs"].map((f) => join(fixtures, f));
  const run = spawn(process.execPath, [join(repoRoot, "test", "runner.mjs"), "--time-limit", "120", ...files], {
    cwd: repoRoot,
    env: { ...process.env, RUNNER_FIXTURE_PIDS: pids },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  run.stdout.on("data", (chunk) => (out += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => run.on("close", (code, signal) => resolve({ code, signal })));
  const guard = setTimeout(() => run.kill("SIGKILL"), 90_000);
  try {
    // Wait for the second file to have its daemon and its child up, then stop the run.
    for (let waited = 0; !existsSync(join(pids, "ready")); waited += 100) {
      assert.ok(waited < 60_000, `the fixture never got ready:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    run.kill("SIGTERM");
    const { code, signal } = await ended;
    assert.is(signal, null, out);
    assert.is(code, 143, out);
    assert.match(out, /ok {3}test\/fixtures-runner\/tracked\.mjs: 1 passed/);
    assert.match(out, /the run was stopped \(SIGTERM\) during test\/fixtures-runner\/stopped\.mjs\n\s+what it had started was killed: [^\n]*pid \d+ [^\n]*sleep 3600/);
    assert.not.match(out, /\[3\/3\]/, "no file after the stopped one is started");
    assert.match(out, /\n1 passed, 1 failed\n$/);
    const started = readFileSync(join(pids, "pids"), "utf8").trim().split("\n");
    // stopped.mjs's daemon and its sleep.
    assert.is(started.length, 2, started.join("\n"));
    // SIGKILL is sent before the runner exits; give the kernel a moment to reap.
    for (let waited = 0; started.some((line) => alive(Number(line.split(" ")[0]))) && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(started.filter((line) => alive(Number(line.split(" ")[0]))), [], "no process started by the fixtures is left");
  } finally {
    clearTimeout(guard);
    // A run an assertion left going is stopped as a user would, so it stops its file's processes
    // too; then whatever the fixtures recorded is killed, whether or not the runner managed it.
    if (run.exitCode === null && run.signalCode === null) {
      run.kill("SIGTERM");
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    }
    run.kill("SIGKILL");
    const recorded = existsSync(join(pids, "pids")) ? readFileSync(join(pids, "pids"), "utf8").trim().split("\n").filter(Boolean) : [];
    for (const line of recorded) {
      try {
        process.kill(Number(line.split(" ")[0]), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(pids, { recursive: true, force: true });
  }
});

test.run();
