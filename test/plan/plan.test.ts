// The build plan is pure and content-addressed; the executor reuses cached step results.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { executePlan, type StepCache } from "../../src/execute/execute.js";
import { buildPlan, type BuildPlan, type PlanStep, type StepKind } from "../../src/plan/build-plan.js";
import type { LockedArch } from "../../src/resolve/lock.js";
import type { Spec } from "../../src/types/spec.js";
import { loadText, minimalSpec } from "../helpers.js";

const locked: LockedArch = {
  indexes: [],
  packages: ["hello", "libc6"].map((name) => ({
    name,
    version: "1.0-1",
    arch: "amd64",
    filename: `pool/main/${name[0]}/${name}/${name}_1.0-1_amd64.deb`,
    size: 100,
    sha256: name.padEnd(64, "0").replace(/[^0-9a-f]/g, "a"),
    source: name,
    archive: "mirror" as const,
    suite: "bookworm",
    reason: "requested",
  })),
};

async function specWith(extra = ""): Promise<Spec> {
  const loaded = await loadText(minimalSpec(extra));
  assert.ok(loaded.spec);
  return loaded.spec;
}

function plan(spec: Spec, epoch = 0): BuildPlan {
  return buildPlan({ spec, locked, arch: "amd64", epoch, outputs: spec.outputs, fileDigests: {} });
}

const ids = (p: BuildPlan) => new Map(p.steps.map((s) => [s.label, s.id]));

test("the same inputs give the same plan, inputs before the steps that use them", async () => {
  const a = plan(await specWith());
  const b = plan(await specWith());
  assert.equal(a, b);
  const seen = new Set<string>();
  for (const s of a.steps) {
    for (const i of s.inputs) assert.ok(seen.has(i), `${s.label} before its input`);
    seen.add(s.id);
  }
  assert.equal(a.steps.map((s) => s.kind), ["fetch", "unpack", "fetch", "unpack", "tree", "layer", "config", "manifest", "emit"]);
});

test("changing args changes only the config and what depends on it", async () => {
  const before = ids(plan(await specWith()));
  const after = ids(plan(await specWith('args: ["--version"]\n')));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["write the image config", "write the image manifest", "write oci out/hello"]);
});

test("changing include changes the tree and everything after it, not the packages", async () => {
  const before = ids(plan(await specWith()));
  const after = ids(plan(await specWith("include: [/usr/share/zoneinfo/**]\n")));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["trace and lay out the image", "write the layer (tar+gzip)", "write the image config", "write the image manifest", "write oci out/hello"]);
});

test("SOURCE_DATE_EPOCH is an input of the layer and what follows", async () => {
  const before = ids(plan(await specWith(), 0));
  const after = ids(plan(await specWith(), 1700000000));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["write the layer (tar+gzip)", "write the image config", "write the image manifest", "write oci out/hello"]);
});

function memoryCache(): StepCache & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: async (id) => data.get(id), set: async (id, r) => void data.set(id, r) };
}

function countingHandlers(ran: string[]) {
  const handler = async (step: PlanStep, inputs: readonly unknown[]) => {
    ran.push(step.kind);
    return { kind: step.kind, from: inputs.length };
  };
  return Object.fromEntries((["fetch", "unpack", "tree", "layer", "config", "manifest", "emit"] as StepKind[]).map((k) => [k, handler])) as Record<StepKind, typeof handler>;
}

test("a second run reuses every cached step; an args change reruns only config, manifest and emit", async () => {
  const cache = memoryCache();
  const first: string[] = [];
  await executePlan(plan(await specWith()), countingHandlers(first), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal([...first].sort(), ["config", "emit", "fetch", "fetch", "layer", "manifest", "tree", "unpack", "unpack"]);
  const second: string[] = [];
  await executePlan(plan(await specWith()), countingHandlers(second), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal(second, ["emit"]);
  const third: string[] = [];
  await executePlan(plan(await specWith('args: ["-v"]\n')), countingHandlers(third), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal(third, ["config", "manifest", "emit"]);
});

test("a failing step stops the run and nothing after it starts", async () => {
  const ran: string[] = [];
  const handlers = countingHandlers(ran);
  handlers.tree = async () => {
    throw new Error("trace failed");
  };
  try {
    await executePlan(plan(await specWith()), handlers, memoryCache(), { parallel: 2, uncached: new Set() });
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, "trace failed");
  }
  assert.not.ok(ran.includes("layer") || ran.includes("emit"));
});

test.run();
