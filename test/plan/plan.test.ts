// The build plan is pure and content-addressed; the executor reuses cached step results.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { executePlan, type StepCache, type StepHandlers } from "../../src/execute/execute.js";
import { buildPlan, perArchPath, type BuildPlan, type StepKind } from "../../src/plan/build-plan.js";
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
  return buildPlan({ spec, archs: [{ arch: "amd64", locked }], epoch, outputs: spec.outputs, specFiles: { files: [], links: [], dirs: [] }, tool: "mcc-test" });
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
  assert.equal(a.steps.map((s) => s.kind), ["fetch", "unpack", "fetch", "unpack", "tree", "layer", "config", "manifest", "sbom", "provenance", "emit"]);
});

test("changing args changes only the config and what depends on it", async () => {
  const before = ids(plan(await specWith()));
  const after = ids(plan(await specWith('args: ["--version"]\n')));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["write the image config", "write the image manifest", "write the SBOM (SPDX 2.3)", "write the provenance (why each file)", "write oci out/hello"]);
});

test("changing include changes the tree and everything after it, not the packages", async () => {
  const before = ids(plan(await specWith()));
  const after = ids(plan(await specWith("include: [/usr/share/zoneinfo/**]\n")));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["trace and lay out the image", "write the layer (tar+gzip)", "write the image config", "write the image manifest", "write the SBOM (SPDX 2.3)", "write the provenance (why each file)", "write oci out/hello"]);
});

test("SOURCE_DATE_EPOCH is an input of the layer and what follows", async () => {
  const before = ids(plan(await specWith(), 0));
  const after = ids(plan(await specWith(), 1700000000));
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k));
  assert.equal(changed, ["write the layer (tar+gzip)", "write the image config", "write the image manifest", "write the SBOM (SPDX 2.3)", "write the provenance (why each file)", "write oci out/hello"]);
});

function memoryCache(): StepCache & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (step) => (data.has(step.id) ? { result: data.get(step.id), from: "local" } : undefined),
    set: async (step, r) => void data.set(step.id, r),
  };
}

const KINDS: StepKind[] = ["fetch", "unpack", "tree", "layer", "config", "manifest", "sbom", "provenance", "index", "initramfs", "iso", "emit"];

/** One handler for every kind of step, told its kind. */
function handlersFor(handler: (kind: StepKind, inputs: readonly unknown[]) => Promise<unknown>): StepHandlers {
  return Object.fromEntries(KINDS.map((k) => [k, (_params: unknown, inputs: readonly unknown[]) => handler(k, inputs)])) as unknown as StepHandlers;
}

function countingHandlers(ran: string[]) {
  return handlersFor(async (kind, inputs) => {
    ran.push(kind);
    return { kind, from: inputs.length };
  });
}

test("a second run reuses every cached step; an args change reruns only config, manifest and emit", async () => {
  const cache = memoryCache();
  const first: string[] = [];
  await executePlan(plan(await specWith()), countingHandlers(first), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal([...first].sort(), ["config", "emit", "fetch", "fetch", "layer", "manifest", "provenance", "sbom", "tree", "unpack", "unpack"]);
  const second: string[] = [];
  await executePlan(plan(await specWith()), countingHandlers(second), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal(second, ["emit"]);
  const third: string[] = [];
  await executePlan(plan(await specWith('args: ["-v"]\n')), countingHandlers(third), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal(third, ["config", "manifest", "sbom", "provenance", "emit"]);
});

test("a cached result spares what it was made from: nothing upstream of it is visited", async () => {
  const cache = memoryCache();
  const p = plan(await specWith());
  await executePlan(p, countingHandlers([]), cache, { parallel: 4, uncached: new Set(["emit"]) });
  // Another machine's cache: every result but the packages' own (fetch, unpack).
  for (const step of p.steps) if (step.kind === "fetch" || step.kind === "unpack") cache.data.delete(step.id);
  const ran: string[] = [];
  const seen: string[] = [];
  await executePlan(p, countingHandlers(ran), cache, { parallel: 4, uncached: new Set(["emit"]) }, { onStep: (s) => void seen.push(s.kind) });
  assert.equal(ran, ["emit"]);
  assert.not.ok(seen.includes("fetch") || seen.includes("unpack") || seen.includes("tree"));
  // Without the manifest and SBOM, the tree and packages are still not needed: the layer is cached.
  for (const step of p.steps) if (step.kind === "manifest" || step.kind === "sbom") cache.data.delete(step.id);
  const again: string[] = [];
  await executePlan(p, countingHandlers(again), cache, { parallel: 4, uncached: new Set(["emit"]) });
  assert.equal([...again].sort(), ["emit", "fetch", "fetch", "manifest", "sbom", "unpack", "unpack"]);
});

test("never more handlers at once than `parallel`", async () => {
  let running = 0;
  let most = 0;
  const handlers = handlersFor(async (kind, inputs) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    return { kind, from: inputs.length };
  });
  await executePlan(plan(await specWith()), handlers, memoryCache(), { parallel: 2, uncached: new Set(["emit"]) });
  assert.ok(most <= 2, `${most} ran at once`);
  assert.is(most, 2, "two fetches can run together");
});

test("metadata.sbom: false leaves the SBOM step out; dpkgStatus is an input of the tree", async () => {
  const without = plan(await specWith("metadata: {sbom: false}\n"));
  assert.not.ok(without.steps.some((s) => s.kind === "sbom"));
  const a = ids(plan(await specWith()));
  const b = ids(plan(await specWith("metadata: {dpkgStatus: false}\n")));
  assert.is(a.get("fetch libc6 1.0-1 amd64"), b.get("fetch libc6 1.0-1 amd64"));
  assert.is.not(a.get("trace and lay out the image"), b.get("trace and lay out the image"));
});

test("several architectures: one image each, an index for OCI outputs, one single-platform output per architecture", async () => {
  const spec = await specWith("output: [{format: oci, path: out/x}, {format: docker-archive, path: out/x.tar}]\n");
  // hello is arch `all` (the same .deb for both); libc6 is built per architecture.
  const forArch = (arch: string): LockedArch => ({
    ...locked,
    packages: locked.packages.map((p) => (p.name === "hello" ? { ...p, arch: "all" } : { ...p, arch, sha256: arch === "amd64" ? p.sha256 : p.sha256.replace(/^./, "f") })),
  });
  const p = buildPlan({ spec, archs: [{ arch: "amd64", locked: forArch("amd64") }, { arch: "arm64", locked: forArch("arm64") }], epoch: 0, outputs: spec.outputs, specFiles: { files: [], links: [], dirs: [] }, tool: "mcc-test" });
  assert.equal(p.archs, ["amd64", "arm64"]);
  const count = (kind: string) => p.steps.filter((s) => s.kind === kind).length;
  assert.equal([count("fetch"), count("tree"), count("manifest"), count("sbom"), count("index")], [3, 2, 2, 2, 1]);
  // Step ids are unique even where two architectures share a package of arch `all`.
  assert.is(new Set(p.steps.map((s) => s.id)).size, p.steps.length);
  assert.equal(p.steps.flatMap((s) => (s.kind === "emit" ? [s.params.path] : [])), ["out/x", "out/x.amd64.tar", "out/x.arm64.tar"]);
  const oci = p.steps.find((s) => s.kind === "emit" && s.params.path === "out/x");
  const index = p.steps.find((s) => s.kind === "index");
  assert.is(oci?.inputs[0], index?.id);
});

test("per-architecture paths keep the format's suffix", () => {
  assert.is(perArchPath("out/curl.docker.tar", "arm64"), "out/curl.arm64.docker.tar");
  assert.is(perArchPath("out/curl.rootfs", "amd64"), "out/curl.amd64.rootfs");
  assert.is(perArchPath("out/curl", "arm64"), "out/curl.arm64");
  assert.is(perArchPath("../a.b/.hidden", "arm64"), "../a.b/.hidden.arm64");
});

test("a failing step stops the run and nothing after it starts", async () => {
  const ran: string[] = [];
  const handlers: StepHandlers = {
    ...countingHandlers(ran),
    tree: async () => {
      throw new Error("trace failed");
    },
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
