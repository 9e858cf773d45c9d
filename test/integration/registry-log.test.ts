// The tests' registry (test/support/registry-server.ts) keeps serving while its caller blocks in
// spawnSync, as every test that runs mcc against it does: docker-registry logs an error line per
// unknown manifest, and when that log went to a pipe nobody drained while the caller was blocked,
// the registry hung on write after 64 KiB and the build with it.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startRegistry } from "../support/registry-server.js";
import { needTools } from "../support/tools.js";


test("docker-registry answers past 64 KiB of log while the caller is blocked in spawnSync", async () => {
  needTools("docker-registry");
  const registry = await startRegistry();
  try {
    // 400 manifest GETs for tags that do not exist, from a child while this process is blocked:
    // each is a logged error of several hundred bytes, far past a pipe's 64 KiB.
    const script = `for (let i = 0; i < 400; i++) { const r = await fetch("http://${registry.host}/v2/probe/manifests/step-" + i); await r.arrayBuffer(); if (r.status !== 404) { console.error(r.status); process.exit(1); } }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.is(r.signal, null, "the requests did not finish in 60 s: the registry stopped answering");
    assert.is(r.status, 0, r.stderr);
    const logged = statSync(join(registry.dir, "registry.log")).size;
    assert.ok(logged > 64 * 1024, `the registry logged only ${logged} bytes, too few to have filled a pipe`);
  } finally {
    await registry.stop();
  }
});

test.run();
