// The Debian tools the tests drive for real (test/tools.json), and their installation by
// apt-get when some are missing and we are root. Another program may be running apt or dpkg
// (unattended upgrades, a second session): then apt-get cannot take the dpkg lock, and we wait
// for it, saying so, for a bounded time, instead of going on without the tools.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The table of tools: commands and files, each with the Debian packages that provide it. */
export const toolTable = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "tools.json"), "utf8"));

/** Whether a command is on the PATH (or, for an absolute path, whether the file exists). */
export function hasTool(tool) {
  return tool.startsWith("/") ? existsSync(tool) : spawnSync("sh", ["-c", 'command -v "$1"', "sh", tool], { stdio: "ignore" }).status === 0;
}

/** The tools (commands and files) that are missing here, each with the packages that provide it. */
export function missingTools() {
  return [...Object.entries(toolTable.commands), ...Object.entries(toolTable.files)]
    .filter(([tool]) => !hasTool(tool))
    .map(([tool, packages]) => ({ tool, packages: packages.split(" ") }));
}

// apt's words when another process holds one of its locks (dpkg's frontend lock, dpkg's lock,
// the lists lock of `apt-get update`).
const LOCKED = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock directory|is another process using it/;

/**
 * `apt-get ARGS`, retried while another process holds apt's or dpkg's lock, for at most
 * `waitSeconds` in all; each try is bounded too. Returns true when apt-get succeeded.
 */
export function aptGet(args, { waitSeconds = 600, pollSeconds = 5, aptGetCommand = "apt-get", log = (s) => console.log(s) } = {}) {
  const deadline = Date.now() + waitSeconds * 1000;
  let said = false;
  for (;;) {
    const run = spawnSync(aptGetCommand, ["-q", ...args], {
      stdio: ["ignore", "inherit", "pipe"],
      encoding: "utf8",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 30 * 60 * 1000,
    });
    if (run.status === 0) {
      process.stderr.write(run.stderr ?? "");
      return true;
    }
    const locked = LOCKED.test(run.stderr ?? "");
    if (!locked || Date.now() >= deadline) {
      process.stderr.write(run.stderr ?? "");
      if (locked) log(`gave up waiting for the dpkg lock after ${waitSeconds} s: ${firstLine(run.stderr)}`);
      return false;
    }
    if (!said) {
      log(`waiting for the dpkg lock (up to ${waitSeconds} s): ${firstLine(run.stderr)}`);
      said = true;
    }
    spawnSync("sleep", [String(pollSeconds)]);
  }
}

const firstLine = (text) => (text ?? "").split("\n").find((l) => LOCKED.test(l))?.replace(/^E:\s*/, "") ?? "";

/** Installs what is missing when we are root; otherwise says what is missing. Returns what is still missing. */
export function installMissingTools(options = {}) {
  const missing = missingTools();
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    console.log(`missing tools (not root, so not installed): ${missing.map((m) => m.tool).join(", ")}`);
    return missing;
  }
  const packages = [...new Set(missing.flatMap((m) => m.packages))];
  console.log(`installing ${packages.join(" ")} for the tests`);
  // A failed update (say, no network) still leaves the lists of an earlier one to install from.
  aptGet(["update"], options);
  aptGet(["install", "-y", "--no-install-recommends", ...packages], options);
  const still = missingTools();
  if (still.length > 0) console.log(`still missing, the tests that need them will fail: ${still.map((m) => `${m.tool} (package ${m.packages.join(" ")})`).join(", ")}`);
  return still;
}
