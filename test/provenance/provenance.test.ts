// The provenance document: built from an image tree's entries and reasons, purely; read back
// with checks; and the plan step that writes it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageEntry } from "../../src/assemble/image-tree.js";
import { buildProvenance, parseProvenance, provenanceBytes, PROVENANCE_SCHEMA, type ProvenanceInput } from "../../src/provenance/provenance.js";
import { viewProvenance } from "../../src/inspect/provenance-view.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import type { LockedArch } from "../../src/resolve/lock.js";
import type { Reason } from "../../src/trace/trace.js";
import { loadText, minimalSpec } from "../helpers.js";

const lib = "/usr/lib/x86_64-linux-gnu";
const file = (path: string, pkg: string): ImageEntry => ({ kind: "file", path, mode: 0o644, uid: 0, gid: 0, size: 10, source: { blob: "0".repeat(64) }, pkg });
const link = (path: string, target: string, pkg: string): ImageEntry => ({ kind: "symlink", path, target, uid: 0, gid: 0, pkg });
const dir = (path: string): ImageEntry => ({ kind: "directory", path, mode: 0o755, uid: 0, gid: 0 });

function input(): ProvenanceInput {
  const reasons = new Map<string, Reason[]>([
    ["/usr/bin/hello", [{ kind: "executable" }]],
    [`${lib}/libc.so.6`, [{ kind: "needed", by: `${lib}/libhello.so.1.0`, name: "libc.so.6" }, { kind: "needed", by: "/usr/bin/hello", name: "libc.so.6" }]],
    [`${lib}/libhello.so.1`, [{ kind: "symlink", to: `${lib}/libhello.so.1.0` }]],
    [`${lib}/libhello.so.1.0`, [{ kind: "needed", by: "/usr/bin/hello", name: "libhello.so.1" }]],
    ["/usr/lib/os-release", [{ kind: "rule", rule: "os-release", why: "programs read it" }]],
    ["/write", [{ kind: "rule", rule: "layout", why: "a mount point" }]],
  ]);
  return {
    image: { name: "hello", arch: "amd64", release: "bookworm", executable: "/usr/bin/hello", tool: "mcc-test", manifest: "sha256:aa", diffIds: ["sha256:bb"] },
    packages: [
      { name: "hello", version: "1.0-1", arch: "amd64", deb: "pool/main/h/hello/hello_1.0-1_amd64.deb", sha256: "11" },
      { name: "libc6", version: "2.36", arch: "amd64", deb: "pool/main/g/glibc/libc6_2.36_amd64.deb", sha256: "22" },
      { name: "unused", version: "1", arch: "all", deb: "pool/main/u/unused/unused_1_all.deb", sha256: "33" },
    ],
    entries: [dir("/usr"), dir("/usr/bin"), file("/usr/bin/hello", "hello"), file(`${lib}/libc.so.6`, "libc6"), link(`${lib}/libhello.so.1`, "libhello.so.1.0", "hello"), file(`${lib}/libhello.so.1.0`, "hello"), file("/usr/lib/os-release", "(mcc)"), dir("/write")],
    reasons,
    steps: [{ id: "f1", kind: "fetch", label: "fetch hello", inputs: [] }],
  };
}

test("each entry with its package, reasons and the chain back to the executable; plain parent directories and unused packages left out", () => {
  const doc = buildProvenance(input());
  assert.is(doc.schema, PROVENANCE_SCHEMA);
  assert.equal(doc.files.map((f) => f.path), ["/usr/bin/hello", `${lib}/libc.so.6`, `${lib}/libhello.so.1`, `${lib}/libhello.so.1.0`, "/usr/lib/os-release", "/write"]);
  const byPath = new Map(doc.files.map((f) => [f.path, f]));
  assert.equal(byPath.get(`${lib}/libc.so.6`)?.chain, [`${lib}/libhello.so.1.0`, "/usr/bin/hello"]);
  assert.equal(byPath.get(`${lib}/libhello.so.1`)?.chain, [`${lib}/libhello.so.1.0`, "/usr/bin/hello"]);
  assert.equal(byPath.get("/usr/bin/hello")?.chain, []);
  assert.equal(byPath.get("/write"), { path: "/write", kind: "directory", package: "(mcc)", reasons: [{ kind: "rule", rule: "layout", why: "a mount point" }], chain: [] });
  assert.equal(byPath.get(`${lib}/libc.so.6`)?.reasons.length, 2);
  assert.equal(doc.packages.map((p) => p.name), ["hello", "libc6"]);
  assert.equal(doc.plan.steps, [{ id: "f1", kind: "fetch", label: "fetch hello", inputs: [] }]);
});

test("the same input gives the same bytes, and they read back; other JSON is refused", () => {
  const bytes = provenanceBytes(buildProvenance(input()));
  assert.ok(bytes.equals(provenanceBytes(buildProvenance(input()))));
  assert.ok(bytes.toString("utf8").endsWith("}\n"));
  assert.equal(parseProvenance(bytes.toString("utf8")), buildProvenance(input()));
  assert.is(parseProvenance("{}"), undefined);
  assert.is(parseProvenance("not json"), undefined);
  assert.is(parseProvenance(JSON.stringify({ ...buildProvenance(input()), schema: "mcc.provenance.v3" })), undefined);
  // A v1 document (one layer, `diffId`) reads as v2.
  const { diffIds, ...v1image } = buildProvenance(input()).image;
  const v1 = { ...buildProvenance(input()), schema: "mcc.provenance.v1", image: { ...v1image, diffId: diffIds[0] } };
  assert.equal(parseProvenance(JSON.stringify(v1))?.image.diffIds, diffIds);
  assert.is(parseProvenance(JSON.stringify({ ...buildProvenance(input()), files: [{ path: 1 }] })), undefined);
});

test("a chain stops at a cycle and at a path the image does not hold", () => {
  const i = input();
  const cycle = new Map(i.reasons);
  cycle.set("/usr/bin/hello", [{ kind: "shebang", by: `${lib}/libc.so.6` }]);
  const byPath = new Map(buildProvenance({ ...i, reasons: cycle }).files.map((f) => [f.path, f.chain]));
  assert.equal(byPath.get(`${lib}/libc.so.6`), [`${lib}/libhello.so.1.0`, "/usr/bin/hello"]);
  assert.equal(byPath.get("/usr/bin/hello"), [`${lib}/libc.so.6`, `${lib}/libhello.so.1.0`]);
  const gone = new Map(i.reasons);
  gone.set(`${lib}/libhello.so.1.0`, [{ kind: "needed", by: "/usr/bin/gone", name: "libhello.so.1" }]);
  const chains = new Map(buildProvenance({ ...i, reasons: gone }).files.map((f) => [f.path, f.chain]));
  assert.equal(chains.get(`${lib}/libc.so.6`), [`${lib}/libhello.so.1.0`]);
});

test("inspect's view: reasons in words, and each package's reason nearest the executable", () => {
  const view = viewProvenance(buildProvenance(input()));
  assert.is(view.byPath.get(`${lib}/libc.so.6`)?.reasons[0]?.text, `libc.so.6, needed (DT_NEEDED) by ${lib}/libhello.so.1.0`);
  assert.is(view.packageWhy.get("hello"), "/usr/bin/hello: the spec's executable");
  assert.is(view.packageWhy.get("libc6"), `${lib}/libc.so.6: libc.so.6, needed (DT_NEEDED) by ${lib}/libhello.so.1.0`);
  assert.is(view.packageWhy.get("(mcc)"), "/usr/lib/os-release: rule os-release: programs read it");
});

const locked = (arch: string): LockedArch => ({
  indexes: [],
  packages: ["hello", "libc6"].map((name) => ({ name, version: "1.0-1", arch, filename: `pool/main/${name[0]}/${name}/${name}_1.0-1_${arch}.deb`, size: 100, sha256: `${name}-${arch}`, source: name, archive: "mirror" as const, suite: "bookworm", reason: "requested" })),
});

test("the plan: one provenance step per image, recording every step but the outputs and itself; every output takes it", async () => {
  const loaded = await loadText(minimalSpec("output: [{format: oci, path: out/x}, {format: rootfs, path: out/x.rootfs}]\n"));
  assert.ok(loaded.spec);
  const plan = buildPlan({ spec: loaded.spec, archs: [{ arch: "amd64", locked: locked("amd64") }, { arch: "arm64", locked: locked("arm64") }], epoch: 0, outputs: loaded.spec.outputs, specFiles: { files: [], links: [], dirs: [] }, tool: "mcc-test" });
  const provenance = plan.steps.filter((s) => s.kind === "provenance");
  assert.equal(provenance.map((s) => s.params["arch"]), ["amd64", "arm64"]);
  const recorded = (provenance[0]?.params["steps"] as readonly { id: string; kind: string }[]).map((s) => s.id);
  assert.equal(recorded, plan.steps.filter((s) => s.kind !== "emit" && s.kind !== "provenance").map((s) => s.id));
  assert.ok(plan.steps.some((s) => s.kind === "index" && recorded.includes(s.id)), "the index is recorded");
  for (const emit of plan.steps.filter((s) => s.kind === "emit")) {
    const own = emit.params["format"] === "rootfs" ? provenance.filter((p) => p.params["arch"] === emit.params["arch"]) : provenance;
    for (const p of own) assert.ok(emit.inputs.includes(p.id), `${emit.label} takes ${p.label}`);
  }
  // Machine paths stay out: the outputs' paths are in no recorded step.
  assert.not.ok(JSON.stringify(provenance[0]?.params).includes("out/x"));
});

test.run();
