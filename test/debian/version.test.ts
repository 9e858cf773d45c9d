// Debian version comparison against dpkg itself: curated hard cases and random versions,
// each pair checked with `dpkg --compare-versions`.
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compareVersions, satisfiesVersion } from "../../src/debian/version.js";
import { needTools } from "../support/tools.js";

const curated = [
  "0", "1", "1.0", "1.0-1", "1.0-2", "1.0~rc1", "1.0~rc1-1", "1.0~~", "1.0~~a", "1.0~", "1.0+", "1.0+b1", "1.0.0",
  "1:0", "1:1.0", "2:0.1", "0:1.0", "10", "9", "1.10", "1.9", "1.01", "1.001", "1.0a", "1.0A", "1.0.a", "1.0-0",
  "1.0-0.1", "1.0-1ubuntu1", "1.0-1+deb12u1", "1.0-1~bpo12+1", "2.36-9+deb12u7", "2.36-9+deb12u10", "7.88.1-10+deb12u8",
  "8.14.1-2", "1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+b1", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", "20230311", "20230311+deb12u1",
  "1.2.3-4-5", "a", "Z", "~", "~~", "1~", "1-~", "1-", "0.9+git20200101-1.1", "2.0-1.1", "2.0-1.01",
];

function dpkgCompare(a: string, b: string): number {
  // dpkg answers one relation per call; ask "lt" and "eq".
  const run = (op: string) => spawnSync("dpkg", ["--compare-versions", a, op, b]).status === 0;
  if (run("lt")) return -1;
  return run("eq") ? 0 : 1;
}


test("agrees with dpkg on curated hard cases (every pair)", () => {
  needTools("dpkg-deb");
  const valid = curated.filter((v) => spawnSync("dpkg", ["--compare-versions", v, "eq", v], { stdio: "ignore" }).status === 0);
  assert.ok(valid.length > 40);
  let pairs = 0;
  for (let i = 0; i < valid.length; i++) {
    for (let j = i; j < valid.length; j += 3) {
      const a = valid[i] as string;
      const b = valid[(j * 7 + i) % valid.length] as string;
      assert.is(compareVersions(a, b), dpkgCompare(a, b), `${a} vs ${b}`);
      pairs++;
    }
  }
  assert.ok(pairs > 400, `${pairs} pairs`);
});

test("agrees with dpkg on random versions", () => {
  const part = fc.stringMatching(/^[0-9][0-9a-z.+~]{0,5}$/);
  const version = fc
    .tuple(fc.option(fc.nat({ max: 3 }), { nil: undefined }), part, fc.option(fc.stringMatching(/^[0-9a-z.+~]{1,4}$/), { nil: undefined }))
    .map(([e, u, r]) => `${e === undefined ? "" : `${e}:`}${u}${r === undefined ? "" : `-${r}`}`);
  fc.assert(
    fc.property(version, version, (a, b) => {
      assert.is(compareVersions(a, b), dpkgCompare(a, b), `${a} vs ${b}`);
    }),
    { numRuns: 400 },
  );
});

test("relations follow Policy 7.1", () => {
  assert.ok(satisfiesVersion("1.0-1", ">=", "1.0"));
  assert.ok(satisfiesVersion("1.0~rc1", "<<", "1.0"));
  assert.ok(satisfiesVersion("2:1", ">>", "1:9"));
  assert.ok(satisfiesVersion("1.0", "=", "0:1.0"));
  assert.not.ok(satisfiesVersion("1.0", "<<", "1.0"));
  assert.ok(satisfiesVersion("1.0", "<=", "1.0"));
});

test.run();
