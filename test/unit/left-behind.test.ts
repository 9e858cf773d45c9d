// Temporaries beside an output: a killed run's are removed by the next write of that output,
// and nothing else is (a live writer's, another machine's, the user's own files).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { besideTemp, leftBehind, replaceDirectory, replaceFile } from "../../src/host/atomic.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { createNodeHost } from "../../src/host/node-host.js";

const M = "0123abcd";

test("leftBehind names only this machine's temporaries for the target whose writers are gone", () => {
  const running = (pid: number) => pid === 7;
  const names = [
    "out",
    `.out.mcc-${M}-5-9f3a.tmp`, // gone: left
    `.out.mcc-${M}-5-9f3a.tmp.old`, // a replaced output, its writer gone: left
    `..out.mcc-${M}-5-9f3a.layout.mcc-${M}-5-77.tmp`, // made beside a staging temporary: left
    `.out.mcc-${M}-5-9f3b.docker`,
    `.out.mcc-${M}-7-1.tmp`, // its writer runs
    `..out.mcc-${M}-5-9f3a.layout.mcc-${M}-7-1.tmp`, // one of its writers runs
    `.out.mcc-ffff0000-5-9f3a.tmp`, // another machine's
    `.outer.mcc-${M}-5-1.tmp`, // another target's
    `.out.mcc-${M}-5-1.tmp.bak`,
    ".out.tmp",
    ".out.swp",
    "out.mcc-x",
  ];
  assert.equal(leftBehind(names, "/w/out", M, running), [
    `.out.mcc-${M}-5-9f3a.tmp`,
    `.out.mcc-${M}-5-9f3a.tmp.old`,
    `..out.mcc-${M}-5-9f3a.layout.mcc-${M}-5-77.tmp`,
    `.out.mcc-${M}-5-9f3b.docker`,
  ]);
});

test("a temporary's name says who wrote it, and the next write of the output removes it", async () => {
  const host = createMemoryHost({ "/w/keep": "mine" }, { running: [3] });
  const dead = `/w/.out.mcc-00000000-2-m1.tmp`;
  const live = `/w/.out.mcc-00000000-3-m2.tmp`;
  await host.createFile(dead, "half");
  await host.createFile(live, "someone writing");
  assert.match(besideTemp(host, "/w/out"), /^\/w\/\.out\.mcc-00000000-1-m[0-9a-f]+\.tmp$/);
  await replaceFile(host, "/w/out", (temp) => host.createFile(temp, "whole"));
  assert.equal(await host.readdir("/w"), [".out.mcc-00000000-3-m2.tmp", "keep", "out"]);
  await replaceDirectory(host, "/w/dir", async (dir) => host.createFile(join(dir, "f"), "x"));
  assert.equal(await host.readdir("/w"), [".out.mcc-00000000-3-m2.tmp", "dir", "keep", "out"]);
});

test("on this machine: a killed process's temporaries go, a running one's and the user's files stay", async () => {
  const work = mkdtempSync(join(tmpdir(), "mcc-left-"));
  try {
    const host = createNodeHost();
    const { machine } = host.writer;
    // A pid that ran and has ended.
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8", timeout: 30_000 });
    const deadPid = Number(gone.stdout);
    assert.ok(deadPid > 0 && !host.running(deadPid));
    assert.ok(host.running(process.pid));
    mkdirSync(join(work, `.image.mcc-${machine}-${deadPid}-0a1b.tmp`));
    writeFileSync(join(work, `.image.mcc-${machine}-${deadPid}-0a1b.tmp`, "blob"), "half");
    writeFileSync(join(work, `.image.mcc-${machine}-${process.pid}-0a1c.tmp`), "being written");
    const other = machine === "ffffffff" ? "eeeeeeee" : "ffffffff";
    writeFileSync(join(work, `.image.mcc-${other}-${deadPid}-0a1d.tmp`), "another machine's");
    writeFileSync(join(work, ".image.backup"), "the user's");
    await replaceFile(host, join(work, "image"), (temp) => host.createFile(temp, "whole"));
    assert.equal(readdirSync(work).sort(), [`.image.backup`, `.image.mcc-${machine}-${process.pid}-0a1c.tmp`, `.image.mcc-${other}-${deadPid}-0a1d.tmp`, "image"].sort());
    assert.is(readFileSync(join(work, "image"), "utf8"), "whole");
    // writeFileAtomic (locks, formatted specs) names and tidies its temporaries the same way.
    writeFileSync(join(work, `.spec.lock.mcc-${machine}-${deadPid}-1.tmp`), "half");
    await host.writeFileAtomic(join(work, "spec.lock"), "locked\n");
    assert.not.ok(existsSync(join(work, `.spec.lock.mcc-${machine}-${deadPid}-1.tmp`)));
    assert.is(readFileSync(join(work, "spec.lock"), "utf8"), "locked\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
