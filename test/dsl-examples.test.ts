// Every example exists in both syntaxes, and the two are the same spec: the same normalized
// Spec, the same build plan (every step id), and one shared lock file. (The same image digest
// is checked where images are built: test/integration/oci.test.ts.)
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readSpecFiles } from "../src/steps/spec-files.js";
import { captureIo } from "./support/io.js";
import { runMain } from "../src/cli/program.js";
import { createNodeHost } from "../src/host/node-host.js";
import { loadSpec } from "../src/pipeline/load-spec.js";
import { buildPlan } from "../src/plan/build-plan.js";
import { lockPathFor, resolutionInputs, type LockedArch } from "../src/resolve/lock.js";
import type { Spec } from "../src/types/spec.js";
import { repoRoot } from "./helpers.js";
import { buildExamplePrograms } from "./support/examples.js";

const dir = join(repoRoot, "examples");
buildExamplePrograms();
const yamls = readdirSync(dir).filter((f) => f.endsWith(".yml")).sort();
const dsls = readdirSync(dir).filter((f) => f.endsWith(".mcc")).sort();

const locked: LockedArch = {
  indexes: [],
  packages: ["libc6", "busybox-static"].map((name) => ({
    name,
    version: "1.0-1",
    arch: "amd64",
    filename: `pool/main/${name[0]}/${name}/${name}_1.0-1_amd64.deb`,
    size: 100,
    sha256: createHash("sha256").update(name).digest("hex"),
    source: name,
    archive: "mirror" as const,
    suite: "bookworm",
    reason: "requested",
  })),
};

async function load(file: string): Promise<Spec> {
  const loaded = await loadSpec(createNodeHost(), join(dir, file), { defaultArch: "amd64" });
  assert.equal(loaded.diagnostics, [], file);
  assert.ok(loaded.spec, file);
  return loaded.spec;
}

async function planOf(spec: Spec, file: string): Promise<string[]> {
  const specFiles = (await readSpecFiles(createNodeHost(), spec, join(dir, file))).entries;
  const plan = buildPlan({ spec, archs: [{ arch: "amd64", locked }], epoch: 0, outputs: spec.outputs, specFiles, tool: "mcc-test" });
  return plan.steps.map((s) => `${s.kind} ${s.id}`);
}

test("every example exists as .yml and as .mcc", () => {
  assert.ok(yamls.length >= 7);
  assert.equal(dsls.map((f) => f.replace(/\.mcc$/, "")), yamls.map((f) => f.replace(/\.yml$/, "")));
});

for (const yml of yamls) {
  const mcc = yml.replace(/\.yml$/, ".mcc");
  test(`${mcc} and ${yml}: the same spec, the same plan, one lock`, async () => {
    const a = await load(yml);
    const b = await load(mcc);
    assert.equal(b, a);
    const planA = await planOf(a, yml);
    assert.ok(planA.length > 5);
    assert.equal(await planOf(b, mcc), planA);
    assert.is(lockPathFor(join(dir, mcc)), lockPathFor(join(dir, yml)));
    assert.is(resolutionInputs(b), resolutionInputs(a));
  });

  test(`${mcc} is what mcc convert makes of ${yml}, and in canonical form`, async () => {
    const { io, out } = captureIo();
    assert.is(await runMain(["convert", "--to", "dsl", join(dir, yml)], io), 0, out.stderr);
    assert.is(out.stdout, readFileSync(join(dir, mcc), "utf8"));
    const check = captureIo();
    assert.is(await runMain(["fmt", "--check", join(dir, mcc)], check.io), 0, check.out.stderr);
  });
}

test.run();
