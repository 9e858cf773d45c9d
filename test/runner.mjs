// Runs test files one at a time, each in its own process (test/support/harness.ts) and process
// group, and prints as it goes: the file's name, uvu's output while it runs, then one line
// with its result and time. A file has a time limit; past it the runner names what the file
// was waiting on (the processes under it, and what its tests had started), stops it, and goes
// on. When a file ends, nothing it started may stay: its process group, every process that
// carries its run token in its environment (daemons that left the group) and the runc
// containers it named are killed, and anything found that way is reported against the file.
// The same is done for the running file when the run itself is stopped (SIGINT, SIGTERM, SIGHUP).
//
// `node test/runner.mjs [--time-limit SECONDS] FILE...` runs the given compiled test files;
// test/run.mjs (the test command) uses runTestFiles after building.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const harness = join(root, "dist", "test", "support", "harness.js");

/** The default time limit of one test file, in seconds (MCC_TEST_TIME_LIMIT overrides it). */
export const DEFAULT_TIME_LIMIT = 900;

/** The plain closing line CI reads. */
export const closingLine = (passed, failed, skipped) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;

/** `dist/test/a/b.test.js` as the source file a developer opens: `test/a/b.test.ts`. */
export function sourceName(file) {
  const rel = relative(root, file);
  const m = /^dist\/(test\/.*)\.js$/.exec(rel);
  return m ? `${m[1]}.ts` : rel;
}

/** Every live process: pid -> { ppid, pgrp, cmd }. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may itself hold spaces or parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
      table.set(Number(name), { ppid: Number(fields[1]), pgrp: Number(fields[2]), cmd: cmd || stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    } catch {
      // Gone while we looked.
    }
  }
  return table;
}

function carriesToken(pid, token) {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`MCC_TEST_TOKEN=${token}`);
  } catch {
    return false;
  }
}

/** The processes a file's run started and that are still there: under `pid`, in its group, or carrying its token. */
function startedBy(pid, token) {
  const table = processTable();
  const found = new Set();
  for (const [p, info] of table) if (p !== pid && (info.pgrp === pid || carriesToken(p, token))) found.add(p);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, info] of table) {
      if (p !== pid && !found.has(p) && (info.ppid === pid || found.has(info.ppid))) {
        found.add(p);
        grew = true;
      }
    }
  }
  return [...found].sort((a, b) => a - b).map((p) => ({ pid: p, cmd: table.get(p)?.cmd ?? "?" }));
}

const short = (cmd) => (cmd.length > 160 ? `${cmd.slice(0, 157)}...` : cmd);

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** runc containers the file's helpers named after its pid (test/support/runc.ts), deleted. */
function deleteContainers(pid) {
  const list = spawnSync("runc", ["list", "-q"], { encoding: "utf8", timeout: 10_000 });
  if (list.status !== 0) return [];
  const ids = list.stdout.split("\n").filter((id) => id.startsWith(`mcc-test-${pid}-`));
  for (const id of ids) spawnSync("runc", ["delete", "--force", id], { stdio: "ignore", timeout: 30_000 });
  return ids;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills the processes a file's run started (its group, what carries its token); returns them. */
function stopStarted(pid, token) {
  const found = startedBy(pid, token);
  kill(-pid, "SIGKILL");
  kill(pid, "SIGKILL");
  for (const p of found) kill(p.pid, "SIGKILL");
  return found;
}

/** stopStarted, and the runc containers the file named deleted; returns what was found. */
function stopAll(pid, token) {
  return { found: stopStarted(pid, token), containers: deleteContainers(pid) };
}

/** The counts of a run's files added up. */
const totals = (results) => ({
  passed: results.reduce((n, r) => n + r.passed, 0),
  failed: results.reduce((n, r) => n + r.failed, 0),
  skipped: results.reduce((n, r) => n + r.skipped, 0),
});

/** Runs one compiled test file; resolves to its counts and what had to be stopped. */
function runOne(file, { timeLimit, write, writeErr, running }) {
  return new Promise((resolve) => {
    const token = randomBytes(8).toString("hex");
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [harness, file], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0", MCC_TEST_TOKEN: token },
    });
    running.current = { file, pid: child.pid, token };
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk.toString();
      write(chunk.toString());
    });
    child.stderr.on("data", (chunk) => writeErr(chunk.toString()));
    let timedOut = false;
    let waitingOn = [];
    const timer = setTimeout(async () => {
      timedOut = true;
      waitingOn = startedBy(child.pid, token);
      write(`\n  no result after ${timeLimit} s; ${waitingOn.length === 0 ? "nothing was running under it (a test awaits something that never comes)" : `it was waiting on:\n${waitingOn.map((p) => `    pid ${p.pid}: ${short(p.cmd)}`).join("\n")}`}\n`);
      // The harness first, to stop what the tests registered and say so; then what it waits
      // on, so that a test blocked in spawnSync returns to it; then the whole group.
      kill(child.pid, "SIGTERM");
      await sleep(2_000);
      if (closed) return;
      for (const p of waitingOn) kill(p.pid, "SIGKILL");
      await sleep(10_000);
      if (!closed) kill(-child.pid, "SIGKILL");
    }, timeLimit * 1000);
    let closed = false;
    let outlived = [];
    // At the harness's exit, not at the close of its pipes: a child left running with the
    // harness's stdout would keep them open, and the run waiting, until the time limit.
    child.once("exit", () => {
      closed = true;
      running.current = undefined;
      clearTimeout(timer);
      outlived = stopStarted(child.pid, token);
    });
    child.on("close", (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // What outlived the file was killed, and is reported unless the time-limit message named it.
      const left = outlived.filter((p) => !waitingOn.some((w) => w.pid === p.pid));
      const containers = deleteContainers(child.pid);
      const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
      const total = /Total:\s+(\d+)/.exec(plain);
      const passedMatch = /Passed:\s+(\d+)/.exec(plain);
      const skippedMatch = /Skipped:\s+(\d+)/.exec(plain);
      let passed;
      let failed;
      if (total !== null && passedMatch !== null && !timedOut) {
        passed = Number(passedMatch[1]);
        // An exit without success (an error outside any test) is a failure even if all passed.
        failed = Math.max(Number(total[1]) - passed, code === 0 ? 0 : 1);
      } else {
        // Stopped or crashed before uvu's totals: count the marks it printed, and one failure.
        passed = (plain.match(/• /g) ?? []).length;
        failed = (plain.match(/✘ /g) ?? []).length + 1;
      }
      const problems = [];
      if (timedOut) problems.push(`stopped at its time limit of ${timeLimit} s`);
      else if (total === null) problems.push(`ended (${signal ?? `exit ${code}`}) before uvu reported its totals`);
      if (left.length > 0) problems.push(`left running after it ended (now killed): ${left.map((p) => `pid ${p.pid} ${short(p.cmd)}`).join("; ")}`);
      if (containers.length > 0) problems.push(`left runc containers (now deleted): ${containers.join(", ")}`);
      if (problems.length > 0 && failed === 0) failed = 1;
      resolve({ file, passed, failed, skipped: skippedMatch ? Number(skippedMatch[1]) : 0, seconds, problems });
    });
  });
}

/**
 * Runs `files` in order, printing each one's name, output and result as it goes, and returns
 * the totals. `timeLimit` is per file, in seconds.
 */
export async function runTestFiles(files, options = {}) {
  const timeLimit = options.timeLimit ?? (Number(process.env.MCC_TEST_TIME_LIMIT) || DEFAULT_TIME_LIMIT);
  const write = options.write ?? ((s) => process.stdout.write(s));
  const writeErr = options.writeErr ?? ((s) => process.stderr.write(s));
  const results = [];
  const width = String(files.length).length;
  // The run itself stopped (Ctrl-C, a CI job cancelled): what the running file started is
  // killed before the runner goes, or its daemons (a DHCP server, a VM) would outlive the run
  // and stand in the way of the next one. Only SIGKILL leaves them, and nothing can help that.
  const running = { current: undefined };
  const onSignal = (signal) => {
    const r = running.current;
    write(`\nthe run was stopped (${signal})${r ? ` during ${sourceName(r.file)}` : ""}\n`);
    if (r !== undefined) {
      const { found, containers } = stopAll(r.pid, r.token);
      if (found.length > 0) write(`  what it had started was killed: ${found.map((p) => `pid ${p.pid} ${short(p.cmd)}`).join("; ")}\n`);
      if (containers.length > 0) write(`  its runc containers were deleted: ${containers.join(", ")}\n`);
    }
    const sum = totals(results);
    write(`${closingLine(sum.passed, sum.failed + 1, sum.skipped)}\n`);
    process.exit(128 + osConstants.signals[signal]);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, onSignal);
  for (const [i, file] of files.entries()) {
    write(`\n[${String(i + 1).padStart(width)}/${files.length}] ${sourceName(file)}\n`);
    const r = await runOne(file, { timeLimit, write, writeErr, running });
    results.push(r);
    const counts = `${r.passed} passed${r.failed ? `, ${r.failed} failed` : ""}${r.skipped ? `, ${r.skipped} skipped` : ""}`;
    write(`${r.failed ? "FAIL" : "ok  "} ${sourceName(file)}: ${counts} (${r.seconds.toFixed(1)} s)\n`);
    for (const p of r.problems) write(`     ${p}\n`);
  }
  for (const signal of signals) process.off(signal, onSignal);
  const failedFiles = results.filter((r) => r.failed > 0);
  if (failedFiles.length > 0) {
    write(`\nfailed files:\n${failedFiles.map((r) => `  ${sourceName(r.file)}${r.problems.length ? ` (${r.problems.join("; ")})` : ""}`).join("\n")}\n`);
  }
  return { ...totals(results), failedFiles: failedFiles.map((r) => r.file) };
}

/** Compiled test files under `dir` whose path matches `pattern` (a regular expression), sorted. */
export function findTestFiles(dir, pattern) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.test\.js$/.test(entry.name) && (pattern === undefined || new RegExp(pattern).test(relative(root, p)))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let timeLimit;
  if (args[0] === "--time-limit") {
    timeLimit = Number(args[1]);
    args.splice(0, 2);
  }
  const { passed, failed, skipped } = await runTestFiles(args, { timeLimit });
  console.log(closingLine(passed, failed, skipped));
  process.exit(failed > 0 ? 1 : 0);
}
