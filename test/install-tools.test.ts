// The test command's installer (test/install-tools.mjs) waits for the dpkg lock another
// program holds instead of going on without the tools. The real apt-get, the real lock file,
// held the way apt and dpkg hold it (an fcntl write lock) by a small perl process; apt-get is
// asked to install nothing, which takes the lock and changes nothing.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.js";
import { trackChild } from "./support/children.js";
import { needRoot, needTools } from "./support/tools.js";

interface Installer {
  aptGet(args: string[], options: { waitSeconds: number; pollSeconds: number; log: (line: string) => void }): boolean;
}
const installer = (await import(pathToFileURL(join(repoRoot, "test", "install-tools.mjs")).href)) as Installer;

const HOLD = `$|=1; open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die "open: $!"; my $l = pack("s s x4 q q l x4", F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $l) or die "lock: $!"; print "held\\n"; sleep shift`;

/** Holds dpkg's frontend lock for `seconds`; resolves once it is held. */
async function holdDpkgLock(seconds: number): Promise<ChildProcess> {
  const holder = trackChild(spawn("perl", ["-MFcntl", "-e", HOLD, String(seconds)], { stdio: ["ignore", "pipe", "pipe"] }), "perl holding the dpkg lock");
  let err = "";
  holder.stderr.on("data", (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once("data", () => resolve());
    holder.once("exit", () => reject(new Error(`could not take the dpkg lock: ${err}`)));
  });
  return holder;
}

async function release(holder: ChildProcess): Promise<void> {
  if (holder.exitCode !== null || holder.signalCode !== null) return;
  const exited = new Promise((resolve) => holder.once("exit", resolve));
  holder.kill("SIGKILL");
  await exited;
}

test("apt-get waits while another process holds the dpkg lock, says so, and goes on once it is free", async () => {
  needRoot("apt-get takes dpkg's lock");
  needTools("apt-get", "perl");
  const holder = await holdDpkgLock(3);
  const lines: string[] = [];
  try {
    const ok = installer.aptGet(["install", "-y"], { waitSeconds: 120, pollSeconds: 1, log: (l) => lines.push(l) });
    assert.ok(ok, lines.join("\n"));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0] ?? "", /^waiting for the dpkg lock \(up to 120 s\): Could not get lock \/var\/lib\/dpkg\/lock-frontend\. It is held by process \d+ \(perl\)/);
  } finally {
    await release(holder);
  }
});

test("apt-get gives up after the bounded wait and says why", async () => {
  needRoot("apt-get takes dpkg's lock");
  needTools("apt-get", "perl");
  const holder = await holdDpkgLock(120);
  const lines: string[] = [];
  try {
    const ok = installer.aptGet(["install", "-y"], { waitSeconds: 2, pollSeconds: 1, log: (l) => lines.push(l) });
    assert.not.ok(ok);
    assert.match(lines.join("\n"), /waiting for the dpkg lock \(up to 2 s\)[^\n]*\ngave up waiting for the dpkg lock after 2 s: Could not get lock/);
  } finally {
    await release(holder);
  }
});

test.run();
