// The OCI outputs checked by the tools people use (oci-image-tool, skopeo, umoci, runc), and
// reproducibility: two builds with different caches, time zones, umasks, locales and working
// directories give the same digests, and each example's .mcc gives the image its .yml gives.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { refNameOf } from "../support/layout.js";
import { needRunc, runLayoutImage } from "../support/runc.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-oci-"));
const sharedCache = sharedTestCache;
const bin = join(repoRoot, "dist", "cli", "main.js");

/** Builds an example (its .yml, or its .mcc) for amd64 (the host's), or for every architecture it lists with `arch: "all"`. */
function compile(example: string, out: string, format: string, env: Record<string, string> = {}, cwd = work, arch = "amd64", syntax: "yml" | "mcc" = "yml"): string {
  const archArgs = arch === "all" ? [] : ["--arch", arch];
  const r = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", `${example}.${syntax}`), "--format", format, "-o", out, "-q", ...archArgs], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedCache, ...env },
  });
  assert.is(r.status, 0, r.stderr);
  return out;
}

function tool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}



const smoke: [string, string[], string][] = [
  ["curl", ["/usr/bin/curl", "--version"], "curl 7.88.1"],
  ["jq", ["/usr/bin/jq", "-n", "[1,2,3]|add"], "6\n"],
  ["sqlite3", ["/usr/bin/sqlite3", "/write/t.db", "create table t(x); insert into t values(42); select x from t;"], "42\n"],
  ["python3", ["/usr/bin/python3", "-c", "import json,ssl,sqlite3;print(json.dumps([1]))"], "[1]\n"],
  ["busybox", ["/bin/busybox", "echo", "ok"], "ok\n"],
];

for (const [example, args, expected] of smoke) {
  test(`${example}: the OCI layout passes oci-image-tool, skopeo reads and converts it, umoci unpacks it, runc runs it read-only`, async () => {
    needTools("oci-image-tool", "skopeo", "umoci");
    const layout = compile(example, join(work, example), "oci");
    assert.match(tool("oci-image-tool", ["validate", "--type", "image", "--ref", `name=${refNameOf(layout)}`, layout]), /Validation succeeded/);
    // One image in the layout: skopeo takes it without a tag.
    const inspect = JSON.parse(tool("skopeo", ["inspect", `oci:${layout}`])) as { Architecture: string; Os: string; Created: string };
    assert.equal([inspect.Architecture, inspect.Os, inspect.Created], ["amd64", "linux", "1970-01-01T00:00:00Z"]);
    const config = JSON.parse(tool("skopeo", ["inspect", "--config", `oci:${layout}`])) as { config: { Entrypoint: string[]; User: string; Volumes?: Record<string, object> } };
    assert.is(config.config.Entrypoint[0], args[0]);
    tool("skopeo", ["copy", `oci:${layout}`, `docker-archive:${join(work, `${example}-from-skopeo.tar`)}:${example}:latest`]);
    needRunc();
    const run = await runLayoutImage(layout, "latest", work, example, { args });
    assert.is(run.stderr, "");
    if (expected.endsWith("\n")) assert.is(run.stdout, expected);
    else assert.ok(run.stdout.startsWith(expected), run.stdout);
  });
}

test("the image config says what the spec says", () => {
  const layout = compile("jq", join(work, "jq-config"), "oci");
  const config = JSON.parse(tool("skopeo", ["inspect", "--config", `oci:${layout}`])) as { config: { Entrypoint: string[]; Cmd: string[]; User: string; WorkingDir: string; Volumes: Record<string, object> } };
  assert.equal(config.config.Entrypoint, ["/usr/bin/jq"]);
  assert.equal(config.config.Cmd, ["--version"]);
  assert.is(config.config.User, "65532:65532");
  assert.is(config.config.WorkingDir, "/write");
  assert.equal(Object.keys(config.config.Volumes).sort(), ["/read", "/write"]);
});

test("oci-archive and docker-archive are read by skopeo", () => {
  const oa = compile("busybox", join(work, "busybox.oci.tar"), "oci-archive");
  const a = JSON.parse(tool("skopeo", ["inspect", `oci-archive:${oa}`])) as { Architecture: string };
  assert.is(a.Architecture, "amd64");
  const da = compile("busybox", join(work, "busybox.docker.tar"), "docker-archive");
  // skopeo finds the image by the name:tag the archive's manifest.json gives it.
  const d = JSON.parse(tool("skopeo", ["inspect", `docker-archive:${da}:busybox:latest`])) as { Architecture: string; Layers: string[] };
  assert.is(d.Architecture, "amd64");
  assert.is(d.Layers.length, 1);
  const manifest = JSON.parse(tool("tar", ["-xOf", da, "manifest.json"])) as { RepoTags: string[] }[];
  assert.equal(manifest[0]?.RepoTags, ["busybox:latest"]);
});

test("two builds in different conditions give the same bytes", () => {
  // Every architecture the example lists (an index of two images).
  const a = compile("curl", join(work, "curl-a"), "oci", { TZ: "UTC", LANG: "C" }, work, "all");
  const otherCwd = mkdtempSync(join(tmpdir(), "mcc-cwd-"));
  const otherCache = mkdtempSync(join(tmpdir(), "mcc-cache-"));
  try {
    const r = spawnSync("sh", ["-c", `umask 077 && exec "$0" "$@"`, process.execPath, bin, "compile", join(repoRoot, "examples", "curl.yml"), "-o", join(work, "curl-b"), "-q", "--cache", otherCache], {
      cwd: otherCwd,
      encoding: "utf8",
      env: { ...process.env, TZ: "Pacific/Kiritimati", LANG: "de_DE.UTF-8", LC_ALL: "de_DE.UTF-8" },
    });
    assert.is(r.status, 0, r.stderr);
  } finally {
    rmSync(otherCwd, { recursive: true, force: true });
    rmSync(otherCache, { recursive: true, force: true });
  }
  const index = (dir: string) => readFileSync(join(dir, "index.json"), "utf8");
  assert.is(index(join(work, "curl-b")), index(a));
  const layer = (dir: string) => tool("sh", ["-c", `sha256sum ${dir}/blobs/sha256/* | cut -c1-64 | sort`]);
  assert.is(layer(join(work, "curl-b")), layer(a));
  // The blobs include the SBOMs; the copies written beside the outputs are the same bytes too.
  for (const arch of ["amd64", "arm64"]) assert.is(readFileSync(join(work, `curl-b.${arch}.spdx.json`), "utf8"), readFileSync(`${a}.${arch}.spdx.json`, "utf8"));
  // So are the provenance documents, and the HTML reports inspect makes of the two layouts.
  for (const arch of ["amd64", "arm64"]) assert.is(readFileSync(join(work, `curl-b.${arch}.provenance.json`), "utf8"), readFileSync(`${a}.${arch}.provenance.json`, "utf8"));
  const report = (dir: string, arch: string) => {
    const r = spawnSync(process.execPath, [bin, "inspect", dir, "--arch", arch, "--html", `${dir}.${arch}.html`], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    return readFileSync(`${dir}.${arch}.html`);
  };
  for (const arch of ["amd64", "arm64"]) assert.ok(report(join(work, "curl-b"), arch).equals(report(a, arch)), `the ${arch} reports are the same bytes`);
  // SOURCE_DATE_EPOCH is an input: another epoch is another image.
  const c = compile("curl", join(work, "curl-c"), "oci", { SOURCE_DATE_EPOCH: "1700000000" }, work, "all");
  assert.is.not(index(c), index(a));
});

const EXAMPLES = ["busybox", "busybox-httpd", "curl", "hello", "jq", "python3", "sqlite3"];

/** The digests of an OCI layout: its index and every blob. */
function digests(layout: string): string {
  return readFileSync(join(layout, "index.json"), "utf8") + tool("sh", ["-c", `sha256sum ${layout}/blobs/sha256/* | cut -c1-64 | sort`]);
}

for (const example of EXAMPLES) {
  test(`${example}: the .mcc and the .yml give the same plan and the same image digest`, () => {
    const plan = (syntax: string) =>
      spawnSync(process.execPath, [bin, "plan", join(repoRoot, "examples", `${example}.${syntax}`), "--arch", "amd64", "--format", "oci", "-o", join(work, "plan-out"), "--json", "-q"], {
        cwd: work,
        encoding: "utf8",
        env: { ...process.env, MCC_CACHE: sharedCache },
      });
    const fromYaml = compile(example, join(work, `${example}-from-yml`), "oci", {}, work, "amd64", "yml");
    const fromDsl = compile(example, join(work, `${example}-from-mcc`), "oci", {}, work, "amd64", "mcc");
    assert.is(digests(fromDsl), digests(fromYaml));
    const [a, b] = [plan("yml"), plan("mcc")];
    assert.is(a.status, 0, a.stderr);
    assert.is(b.status, 0, b.stderr);
    assert.ok(a.stdout.includes('"id"'), a.stdout);
    assert.is(b.stdout, a.stdout);
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
