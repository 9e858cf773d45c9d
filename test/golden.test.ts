// Golden fixtures: every directory under test/fixtures holds a spec.yml or a spec.mcc (or,
// on purpose, something that is not one) and the exact output mcc gives for it: diagnostics.txt as
// printed off a TTY, pretty.txt (where present) as printed on one, and spec.json for valid
// specs, and plan.json, the build plan of each valid-X spec against a small lock the test builds
// (so a change to step ids or parameters shows up in review). `UPDATE=1 npm test` rewrites
// them; review the diff like code.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DIAGNOSTICS } from "../src/diagnostics/codes.js";
import { renderDiagnostic } from "../src/diagnostics/render.js";
import { createNodeHost } from "../src/host/node-host.js";
import { BOOT_FORMATS, buildPlan } from "../src/plan/build-plan.js";
import type { LockedArch, LockedPackage } from "../src/resolve/lock.js";
import { loadSpec, type LoadedSpec } from "../src/pipeline/load-spec.js";
import type { Spec } from "../src/types/spec.js";
import { readSpecFiles } from "../src/steps/spec-files.js";
import { renameMember, tar } from "./support/craft-deb.js";
import { repoRoot } from "./helpers.js";

const fixtures = join(repoRoot, "test", "fixtures");
const update = process.env["UPDATE"] === "1";

// A tarball no archiver would write: a member that climbs out, beside one that does not.
const climbingTar = await tar([
  { name: "./ok", body: "fine\n" },
  { name: "../../etc/cron.d/evil", body: "* * * * * root sh\n" },
]);

// A tarball with a member named in Latin-1 (not UTF-8) and one whose name holds a newline.
const badNamesTar = renameMember(await tar([
  { name: "./ok", body: "fine\n" },
  { name: "./caf?.txt", body: "latin-1\n" },
  { name: "./two\nlines", body: "newline\n" },
]), "./caf?.txt", Buffer.from("./caf\xe9.txt", "latin1"));

/** Cases too big to commit are built here. */
const generated: Record<string, (dir: string) => void> = {
  "mcc003-too-large": (dir) => writeFileSync(join(dir, "spec.yml"), Buffer.alloc(20 * 1024 * 1024, "#")),
  // Made at run time: too big to commit, or what git would rather not hold (a symlink loop).
  "mcc128-thousands-of-images": (dir) =>
    writeFileSync(join(dir, "spec.mcc"), Array.from({ length: 3000 }, (_, i) => `image x${i} {\n  packages hello\n  executable /usr/bin/hello\n}\n`).join("")),
  "mcc129-nested-too-deeply": (dir) => writeFileSync(join(dir, "spec.mcc"), `image x {\n${"  files {\n".repeat(5000)}${"}\n".repeat(5001)}`),
  // A tree holding what an image cannot: links out of it, a pipe, a file over the size limit (sparse).
  "mcc321-tree-symlink-out": (dir) => {
    mkdirSync(join(dir, "app", "etc"), { recursive: true });
    writeFileSync(join(dir, "app", "ok"), "fine\n");
    symlinkSync("/etc/passwd", join(dir, "app", "etc", "passwd"));
    symlinkSync("../../outside", join(dir, "app", "etc", "up"));
    symlinkSync("../ok", join(dir, "app", "etc", "inside"));
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app}\n");
  },
  "mcc322-tree-fifo": (dir) => {
    mkdirSync(join(dir, "app"));
    execFileSync("mkfifo", [join(dir, "app", "pipe")]);
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app/}\n");
  },
  "mcc323-tree-file-too-large": (dir) => {
    mkdirSync(join(dir, "data"));
    closeSync(openSync(join(dir, "data", "huge.bin"), "w"));
    truncateSync(join(dir, "data", "huge.bin"), 2 ** 31 + 1);
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /data, source: data}\n");
  },
  "mcc323-source-file-too-large": (dir) => {
    closeSync(openSync(join(dir, "model.bin"), "w"));
    truncateSync(join(dir, "model.bin"), 2 ** 31 + 1);
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /read/model.bin, source: model.bin}\n");
  },
  "mcc328-keyring-too-large": (dir) => {
    closeSync(openSync(join(dir, "keys.gpg"), "w"));
    truncateSync(join(dir, "keys.gpg"), 3 * 2 ** 30);
    writeFileSync(join(dir, "spec.yml"), "name: hello\nfrom:\n  keyring: keys.gpg\npackages: [hello]\nexecutable: /usr/bin/hello\n");
  },
  "mcc330-tarball-climbs-out": (dir) => {
    writeFileSync(join(dir, "app.tar"), climbingTar);
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app.tar, unpack: true}\n");
  },
  // Names no image holds (src/paths/names.ts): bytes that are not UTF-8, a newline, a link to one; an excluded one is fine.
  "mcc331-tree-bad-names": (dir) => {
    mkdirSync(join(dir, "app"));
    writeFileSync(join(dir, "app", "ok"), "fine\n");
    writeFileSync(Buffer.from(`${join(dir, "app")}/caf\xe9.txt`, "latin1"), "latin-1\n");
    writeFileSync(join(dir, "app", "two\nlines"), "newline\n");
    symlinkSync("tab\there", join(dir, "app", "link"));
    writeFileSync(join(dir, "app", "left\u0001out.bak"), "excluded\n");
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app, exclude: ['*.bak']}\n");
  },
  "mcc331-tarball-bad-names": (dir) => {
    writeFileSync(join(dir, "app.tar"), badNamesTar);
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app.tar, unpack: true}\n");
  },
  "mcc309-source-symlink-loop": (dir) => {
    symlinkSync("b", join(dir, "a"));
    symlinkSync("a", join(dir, "b"));
    writeFileSync(join(dir, "spec.yml"), "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /read/x, source: a}\n");
  },
};

async function run(name: string): Promise<{ loaded: LoadedSpec; dir: string }> {
  let dir = join(fixtures, name);
  const generate = generated[name];
  if (generate !== undefined) {
    dir = mkdtempSync(join(tmpdir(), "mcc-golden-"));
    generate(dir);
  }
  try {
    const file = existsSync(join(dir, "spec.mcc")) ? "spec.mcc" : "spec.yml";
    return { loaded: await loadSpec(createNodeHost(), join(dir, file), { defaultArch: "amd64" }), dir };
  } finally {
    if (generate !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function compare(file: string, actual: string | undefined): void {
  if (update) {
    if (actual === undefined) rmSync(file, { force: true });
    else writeFileSync(file, actual);
    return;
  }
  const expected = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  assert.fixture(actual ?? "(absent)", expected ?? "(absent)", file);
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** A locked package as the archive would give it, every field derived from its name. */
function lockedPackage(name: string, version: string, arch: string, reason: string): LockedPackage {
  const filename = `pool/main/${name.slice(0, 1)}/${name}/${name}_${version}_${arch}.deb`;
  return { name, version, arch, filename, size: 1000 + name.length, sha256: sha256(filename), source: name, archive: "mirror", suite: "bookworm", reason };
}

/** A lock for a spec without an archive: its packages as they are named, a kernel and loader when it boots. */
function lockOf(spec: Spec): { arch: string; locked: LockedArch }[] {
  const boots = spec.boot !== undefined || spec.outputs.some((o) => BOOT_FORMATS.has(o.format));
  return spec.from.archs.map((arch) => ({
    arch,
    locked: {
      indexes: [],
      packages: spec.packages.map((p) => ("deb" in p ? lockedPackage(p.deb.replace(/^.*\/|_.*$|\.deb$/g, ""), "1.0-1", arch, "requested") : lockedPackage(p.name, p.version ?? "1.0-1", arch, "requested"))),
      ...(boots ? { boot: [lockedPackage(`linux-image-cloud-${arch}`, "6.1.0-1", arch, "boot: kernel"), lockedPackage("grub-efi", "2.06-13", arch, "boot: loader")] } : {}),
    },
  }));
}

/** The plan of a valid spec against lockOf, as `mcc plan --json` prints it. */
async function planOf(spec: Spec, dir: string): Promise<string> {
  const specFiles = (await readSpecFiles(createNodeHost(), spec, join(dir, "spec.yml"))).entries;
  const plan = buildPlan({ spec, archs: lockOf(spec), epoch: 0, outputs: spec.outputs, specFiles, tool: "mcc-golden" });
  return JSON.stringify(plan, null, 2) + "\n";
}

const seenCodes = new Set<string>();
const names = readdirSync(fixtures, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

for (const name of names) {
  test(`fixture ${name}`, async () => {
    const { loaded, dir } = await run(name);
    const here = join(fixtures, name);
    const strip = (text: string) => text.split(dir + "/").join("");
    const plain = loaded.diagnostics.map((d) => strip(renderDiagnostic(d, loaded.source, { excerpt: false, color: false })));
    for (const d of loaded.diagnostics) seenCodes.add(d.code);
    compare(join(here, "diagnostics.txt"), plain.length === 0 ? undefined : plain.join("\n") + "\n");
    if (existsSync(join(here, "pretty.txt")) || (update && name.endsWith("many-errors-one-run"))) {
      const pretty = loaded.diagnostics.map((d) => strip(renderDiagnostic(d, loaded.source, { excerpt: true, color: false })));
      compare(join(here, "pretty.txt"), pretty.join("\n") + "\n");
    }
    compare(join(here, "spec.json"), loaded.spec === undefined ? undefined : JSON.stringify(loaded.spec, null, 2) + "\n");
    if (name.startsWith("valid-")) assert.ok(loaded.spec, `${name} should be valid`);
    if (name.startsWith("valid-") && !name.startsWith("valid-dsl-") && loaded.spec !== undefined) compare(join(here, "plan.json"), await planOf(loaded.spec, dir));
    const expectedCode = /^(mcc\d{3})-/.exec(name)?.[1]?.toUpperCase();
    if (expectedCode !== undefined) {
      assert.ok(loaded.diagnostics.some((d) => d.code === expectedCode), `${name} should report ${expectedCode}`);
    }
  });
}

test("each valid-dsl-X fixture is the same spec as valid-X", () => {
  const pairs = names.filter((n) => n.startsWith("valid-dsl-"));
  assert.ok(pairs.length > 0);
  for (const name of pairs) {
    const yaml = join(fixtures, name.replace("valid-dsl-", "valid-"), "spec.json");
    assert.fixture(readFileSync(join(fixtures, name, "spec.json"), "utf8"), readFileSync(yaml, "utf8"), name);
  }
});

test("the fixtures cover every diagnostic code of the front end", () => {
  // MCC4xx (resolution, locks) need an archive: test/source/archive.test.ts has their goldens.
  const missing = Object.keys(DIAGNOSTICS).filter((code) => code < "MCC400" && !seenCodes.has(code));
  assert.equal(missing, [], `codes without a golden fixture: ${missing.join(", ")}`);
});

test.run();
