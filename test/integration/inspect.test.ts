// `mcc inspect` and `mcc diff` on real images: the four output formats of one build read back
// as the same files, the dpkg records name the packages, and diff sees a changed spec.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";

const work = mkdtempSync(join(tmpdir(), "mcc-inspect-"));
const bin = join(repoRoot, "dist", "cli", "main.js");
const mcc = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache } });

interface Inspected {
  format: string;
  arch: string | null;
  files: number;
  packages: { name: string; version?: string; files: number }[];
  entries: { path: string; kind: string; sha256?: string; package?: string; reasons?: { kind: string; text: string }[] }[];
}

function inspect(image: string, extra: string[] = []): Inspected {
  const r = mcc(["inspect", image, "--json", ...extra]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Inspected;
}

test("an OCI layout, an oci-archive, a docker-archive and a rootfs of one build read back as the same files", () => {
  const spec = join(repoRoot, "examples", "busybox.yml");
  const outputs: [string, string][] = [["oci", "bb"], ["oci-archive", "bb.oci.tar"], ["docker-archive", "bb.docker.tar"], ["rootfs", "bb.rootfs"]];
  const seen = outputs.map(([format, out]) => {
    const r = mcc(["compile", spec, "--arch", "amd64", "--format", format, "-o", join(work, out), "-q"]);
    assert.is(r.status, 0, r.stderr);
    return inspect(join(work, out));
  });
  assert.equal(seen.map((s) => s.format), ["oci", "oci-archive", "docker-archive", "rootfs"]);
  const files = (s: Inspected) => s.entries.filter((e) => e.kind !== "directory").map((e) => `${e.path} ${e.sha256 ?? ""}`).join("\n");
  for (const s of seen.slice(1)) assert.is(files(s), files(seen[0]!));
  const lock = JSON.parse(readFileSync(join(repoRoot, "examples", "busybox.lock.json"), "utf8")) as { archs: Record<string, { packages: { name: string; version: string }[] }> };
  const locked = lock.archs["amd64"]?.packages.find((p) => p.name === "busybox-static");
  assert.equal(seen[0]!.packages.find((p) => p.name === "busybox-static")?.version, locked?.version);
  assert.is(seen[0]!.entries.find((e) => e.path === "/usr/bin/busybox")?.package, "busybox-static");
  // Each format finds the provenance: attached to the layouts, beside the archive and the rootfs.
  for (const s of seen) {
    const busybox = s.entries.find((e) => e.path === "/usr/bin/busybox");
    assert.equal(busybox?.reasons?.map((r) => r.text), ["the spec's executable"], s.format);
    assert.equal(s.entries.find((e) => e.path === "/bin")?.reasons?.[0]?.kind, "rule");
  }
});

test("an image without provenance (skopeo's copy, a rootfs whose document was removed) is inspected without reasons", () => {
  const copy = join(work, "bb-skopeo.tar");
  const r = spawnSync("skopeo", ["copy", `oci:${join(work, "bb")}`, `docker-archive:${copy}:bb:latest`], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const s = inspect(copy);
  assert.is(s.entries.find((e) => e.path === "/usr/bin/busybox")?.package, "busybox-static");
  assert.ok(s.entries.every((e) => e.reasons === undefined));
  const text = mcc(["inspect", copy, "--files"]);
  assert.is(text.status, 0, text.stderr);
  assert.match(text.stdout, /^no provenance:/m);
  assert.match(text.stdout, /^ +\S+ [KM]iB {2}\/usr\/bin\/busybox$/m);
});

test("a multi-platform layout is read for the platform asked for", () => {
  const layout = join(work, "curl");
  const r = mcc(["compile", join(repoRoot, "examples", "curl.yml"), "-o", layout, "-q"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(inspect(layout, ["--arch", "arm64"]).arch, "arm64");
  assert.is(inspect(layout).arch, "amd64");
  const missing = mcc(["inspect", layout, "--arch", "riscv64"]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /no image for riscv64 \(it has amd64, arm64\)/);
});

test("diff names what a changed spec added, and nothing for the same image", () => {
  const spec = join(work, "more.yml");
  writeFileSync(spec, readFileSync(join(repoRoot, "examples", "busybox.yml"), "utf8") + "include: [/usr/share/doc/busybox-static/copyright]\n");
  assert.is(mcc(["compile", spec, "--arch", "amd64", "--format", "rootfs", "-o", join(work, "more.rootfs"), "-q"]).status, 0);
  const d = mcc(["diff", join(work, "bb.rootfs"), join(work, "more.rootfs")]);
  assert.is(d.status, 0, d.stderr);
  // Under the package it came from, which both images have.
  assert.match(d.stdout, /^busybox-static:\n  \+ \/usr\/share\/doc\/busybox-static\/copyright \(/m);
  assert.match(d.stdout, /^  busybox-static \S+ +[\d.]+ MiB in 1 file -> [\d.]+ MiB in 2 files$/m);
  const same = mcc(["diff", join(work, "bb"), join(work, "bb.rootfs")]);
  assert.match(same.stdout, /the images hold the same files/);
  const bad = mcc(["inspect", join(work, "more.yml")]);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /not a tar archive|not an OCI layout/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
