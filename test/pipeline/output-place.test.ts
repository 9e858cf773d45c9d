// mcc replaces only what it may: an absent path, an empty directory, or an output of the same
// format; never the spec's directory or one above the current directory. On the real file
// system, through the CLI (the refusal comes before any lock or download) and the check itself.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkOutputPlace } from "../../src/backends/output-place.js";
import { runMain } from "../../src/cli/program.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { captureIo } from "../support/io.js";

const SPEC = "name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\n";

function workspace(): { root: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), "mcc-place-"));
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

async function compileIn(cwd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const { io, out } = captureIo();
  const code = await runMain(["compile", ...args, "--offline", "--cache", join(cwd, "..", "cache")], { ...io, cwd });
  return { code, stderr: out.stderr };
}

test("an output above the spec's directory is refused at its line, and nothing is touched", async () => {
  const { root, done } = workspace();
  try {
    const sub = join(root, "proj", "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(root, "proj", "notes.txt"), "mine\n");
    writeFileSync(join(sub, "spec.yml"), `${SPEC}output: {format: rootfs, path: ..}\n`);
    const spec = join(sub, "spec.yml");
    const r = await compileIn(sub, [spec]);
    assert.is(r.code, EXIT.userError, r.stderr);
    assert.ok(r.stderr.startsWith(`${spec}:4:9: error MCC521: the output .. is a directory above the spec's directory; mcc never replaces it\n`), r.stderr);
    // --force does not change it.
    const forced = await compileIn(sub, [spec, "--force"]);
    assert.match(forced.stderr, /error MCC521/);
    assert.equal(readdirSync(join(root, "proj")).sort(), ["notes.txt", "sub"]);
    assert.is(readFileSync(join(root, "proj", "notes.txt"), "utf8"), "mine\n");
  } finally {
    done();
  }
});

test("-o naming a directory of the user's files is refused with MCC520; the spec's own directory with MCC521", async () => {
  const { root, done } = workspace();
  try {
    const proj = join(root, "proj");
    const mine = join(root, "mine");
    mkdirSync(proj);
    mkdirSync(join(mine, ".git"), { recursive: true });
    writeFileSync(join(mine, "important.txt"), "keep\n");
    writeFileSync(join(proj, "spec.yml"), SPEC);
    const r = await compileIn(proj, [join(proj, "spec.yml"), "-o", mine, "--format", "oci"]);
    assert.is(r.code, EXIT.userError, r.stderr);
    assert.ok(r.stderr.includes(`error MCC520: the output ${mine} would replace a directory of 2 entries (.git, important.txt) that is not an OCI layout`), r.stderr);
    assert.match(r.stderr, /note: the path given with -o: choose another path, remove what is there, or pass --force/);
    const here = await compileIn(proj, [join(proj, "spec.yml"), "-o", ".", "--format", "rootfs", "--force"]);
    assert.match(here.stderr, /error MCC521: the output \. is the spec's directory; mcc never replaces it/);
    assert.is(readFileSync(join(mine, "important.txt"), "utf8"), "keep\n");
    assert.equal(readdirSync(proj), ["spec.yml"]);
  } finally {
    done();
  }
});

test("mcc pull refuses a directory of the user's files before it connects, and the current directory always", async () => {
  const { root, done } = workspace();
  try {
    const mine = join(root, "mine");
    mkdirSync(mine);
    writeFileSync(join(mine, "notes.txt"), "keep\n");
    const { io, out } = captureIo();
    // Nothing listens on port 9: were the check after connecting, this would be a network error.
    const code = await runMain(["pull", "127.0.0.1:9/x:latest", mine, "--insecure"], { ...io, cwd: root });
    assert.is(code, EXIT.userError, out.stderr);
    assert.match(out.stderr, /mine holds a directory of 1 entry \(notes\.txt\) that is not an OCI layout; mcc pull writes an OCI layout only where nothing is/);
    const here = captureIo();
    assert.is(await runMain(["pull", "127.0.0.1:9/x:latest", ".", "--insecure", "--force"], { ...here.io, cwd: mine }), EXIT.userError);
    assert.match(here.out.stderr, /\. is the current directory; mcc pull never replaces it/);
    assert.equal(readdirSync(mine), ["notes.txt"]);
  } finally {
    done();
  }
});

test("what may be replaced: nothing, an empty directory, an output of the same format; --force for the rest", async () => {
  const { root, done } = workspace();
  const host = createNodeHost();
  const keep = [{ path: join(root, "proj"), name: "the spec's directory" }];
  const place = (name: string) => join(root, name);
  try {
    mkdirSync(join(root, "proj"));
    mkdirSync(place("empty"));
    mkdirSync(join(place("layout"), "blobs", "sha256"), { recursive: true });
    writeFileSync(join(place("layout"), "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(place("layout"), "index.json"), "{}");
    for (const d of ["usr/bin", "etc", "write", "run"]) mkdirSync(join(place("rootfs"), d), { recursive: true });
    mkdirSync(join(place("home"), "src"), { recursive: true });
    writeFileSync(join(place("home"), "README"), "x");
    const tar = Buffer.alloc(1024);
    tar.write("ustar", 257, "latin1");
    writeFileSync(place("image.tar"), tar);
    const iso = Buffer.alloc(16 * 2048 + 2048);
    iso.write("CD001", 16 * 2048 + 1, "latin1");
    writeFileSync(place("image.iso"), iso);
    writeFileSync(place("notes.txt"), "my notes");
    const check = (name: string, format: Parameters<typeof checkOutputPlace>[2], force = false) => checkOutputPlace(host, place(name), format, keep, force);

    for (const [name, format] of [["absent", "oci"], ["empty", "oci"], ["empty", "rootfs"], ["layout", "oci"], ["rootfs", "rootfs"], ["image.tar", "oci-archive"], ["image.tar", "docker-archive"], ["image.iso", "iso"]] as const) {
      assert.is(await check(name, format), undefined, `${name} as ${format}`);
    }
    assert.equal(await check("layout", "rootfs"), { code: "MCC520", what: "a directory of 3 entries (blobs, index.json, oci-layout) that is not a root file system" });
    assert.equal(await check("home", "rootfs"), { code: "MCC520", what: "a directory of 2 entries (README, src) that is not a root file system" });
    assert.equal(await check("notes.txt", "oci-archive"), { code: "MCC520", what: "a file that is not a tar archive" });
    assert.equal(await check("image.tar", "iso"), { code: "MCC520", what: "a file that is not an ISO 9660 image" });
    assert.equal(await check("notes.txt", "oci"), { code: "MCC520", what: "a file" });
    assert.equal(await check("home", "docker-archive"), { code: "MCC520", what: "a directory" });
    assert.is(await check("home", "rootfs", true), undefined, "--force");
    // mcc's rootfs with a spec file at /app: not a plain Linux root, but its SBOM lies beside it.
    for (const d of ["usr/bin", "app"]) mkdirSync(join(place("built"), d), { recursive: true });
    assert.equal(await check("built", "rootfs"), { code: "MCC520", what: "a directory of 2 entries (app, usr) that is not a root file system" });
    writeFileSync(`${place("built")}.spdx.json`, '{\n  "spdxVersion": "SPDX-2.3",\n  "creationInfo": {\n    "creators": [\n      "Tool: mcc-0.1.0"\n    ]\n  }\n}\n');
    assert.is(await check("built", "rootfs"), undefined, "an SBOM by mcc beside it");
    writeFileSync(`${place("home")}.provenance.json`, '{"schema":"someone-else"}');
    assert.ok(await check("home", "rootfs"), "another tool's document proves nothing");
    assert.equal(await checkOutputPlace(host, root, "oci", keep, true), { code: "MCC521", relation: "a directory above the spec's directory" });
  } finally {
    done();
  }
});

test.run();
