// A package that writes through its own symlink: `usr/share/x/link -> OUTSIDE` followed by a
// file `usr/share/x/link/pwned`, which dpkg-deb would never build, so the test makes the .deb by
// hand and serves it from a signed archive on loopback. Built into a rootfs and an OCI layout,
// the entry under the link is left out of both and said; the layer, extracted by the least
// forgiving extractors (Python's tarfile with no filter, GNU tar), writes nothing outside;
// `mcc why` says why the file is not there.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { EXIT } from "../../src/cli/exit-codes.js";
import { runMain } from "../../src/cli/program.js";
import { ar, renameMember, tar } from "../support/craft-deb.js";
import { captureIo } from "../support/io.js";
import { createTestArchive, TEST_RELEASE, type TestArchive } from "../support/test-archive.js";
import { needTools } from "../support/tools.js";

interface Context {
  archive: TestArchive;
  work: string;
  outside: string;
}
const test = suite<Context>("hostile package", {} as Context);

test.before(async (ctx) => {
  needTools("gcc", "dpkg-deb", "gpg", "xz", "python3", "tar");
  ctx.work = mkdtempSync(join(tmpdir(), "mcc-hostile-"));
  ctx.outside = join(ctx.work, "outside");
  mkdirSync(ctx.outside);
  execFileSync("gcc", ["-static", "-o", join(ctx.work, "app"), "-x", "c", "-"], { input: 'int puts(const char*); int main(void){puts("static app");return 0;}' });
  const control = "Package: through-link\nVersion: 1\nArchitecture: amd64\nMaintainer: mcc tests <tests@example.invalid>\nDescription: writes through its own symlink\n";
  // Also two names no image holds: a newline, and a Latin-1 byte (put in by hand: tar-stream writes UTF-8).
  const data = renameMember(await tar([
    { name: "./", type: "directory", mode: 0o755 },
    { name: "./usr/", type: "directory", mode: 0o755 },
    { name: "./usr/share/", type: "directory", mode: 0o755 },
    { name: "./usr/share/x/", type: "directory", mode: 0o755 },
    { name: "./usr/share/x/kept", body: "kept\n" },
    { name: "./usr/share/x/link", type: "symlink", linkname: ctx.outside },
    { name: "./usr/share/x/link/pwned", body: "pwned\n" },
    { name: "./usr/share/x/two\nlines", body: "a newline in the name\n" },
    { name: "./usr/share/x/caf?", body: "a Latin-1 name\n" },
  ]), "./usr/share/x/caf?", Buffer.from("./usr/share/x/caf\xe9", "latin1"));
  const deb = ar([["debian-binary", Buffer.from("2.0\n")], ["control.tar", await tar([{ name: "./control", body: control }])], ["data.tar", data]]);
  ctx.archive = await createTestArchive([
    { name: "static-app", version: "1.0", files: { "/usr/bin/app": readFileSync(join(ctx.work, "app")) } },
    { name: "through-link", version: "1", deb },
  ]);
});

test.after(async (ctx) => {
  await ctx.archive?.close();
  if (ctx.work !== undefined) rmSync(ctx.work, { recursive: true, force: true });
});

async function mcc(ctx: Context, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const code = await runMain([...args, "--cache", join(ctx.work, "cache")], io);
  return { code, ...out };
}

test("the entry under the package's own symlink is left out of every output, said, and nothing lands outside", async (ctx) => {
  const spec = join(ctx.work, "spec.yml");
  const text = [
    "name: t",
    "from:",
    `  release: ${TEST_RELEASE}`,
    "  archs: [amd64]",
    `  mirror: ${ctx.archive.url}`,
    `  keyring: ${ctx.archive.keyring}`,
    "packages: [static-app, through-link]",
    "executable: /usr/bin/app",
    "include: [/usr/share/x/**]",
    "",
  ].join("\n");
  writeFileSync(spec, text);

  const rootfs = join(ctx.work, "image.rootfs");
  const built = await mcc(ctx, ["compile", spec, "--format", "rootfs", "-o", rootfs]);
  assert.is(built.code, EXIT.ok, built.stderr);
  assert.match(built.stderr, /mcc: note: through-link \(amd64\): 1 entry left out, under \/usr\/share\/x\/link, a symlink in the image \(\/usr\/share\/x\/link\/pwned\)/);
  assert.match(built.stderr, /mcc: note: through-link \(amd64\): 2 entries dropped or changed as it was unpacked: \.\/usr\/share\/x\/two\\u000alines: the name: it holds the control character U\+000A; dropped; \.\/usr\/share\/x\/caf\uFFFD: the name: it is not valid UTF-8/);
  assert.is(readFileSync(join(rootfs, "usr/share/x/kept"), "utf8"), "kept\n");
  assert.equal(readdirSync(join(rootfs, "usr/share/x")).sort(), ["kept", "link"], "no entry with a name outside the rule");
  assert.ok(lstatSync(join(rootfs, "usr/share/x/link")).isSymbolicLink());
  assert.is(readlinkSync(join(rootfs, "usr/share/x/link")), ctx.outside);
  assert.equal(readdirSync(ctx.outside), [], "the rootfs writer wrote nothing through the link");

  const layout = join(ctx.work, "image.oci");
  const oci = await mcc(ctx, ["compile", spec, "--format", "oci", "-o", layout, "-q"]);
  assert.is(oci.code, EXIT.ok, oci.stderr);
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string; artifactType?: string }[] };
  const image = index.manifests.find((m) => m.artifactType === undefined);
  assert.ok(image);
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", image.digest.slice(7)), "utf8")) as { layers: { digest: string }[] };
  const layer = join(layout, "blobs", "sha256", (manifest.layers[0]?.digest ?? "").slice(7));
  const listing = execFileSync("tar", ["-tzf", layer], { encoding: "utf8" }).split("\n");
  assert.ok(listing.includes("usr/share/x/link"), listing.join("\n"));
  assert.not.ok(listing.some((p) => p.startsWith("usr/share/x/link/")), "the layer holds nothing under the link");
  assert.equal(listing.filter((p) => p.startsWith("usr/share/x/")).sort(), ["usr/share/x/", "usr/share/x/kept", "usr/share/x/link"]);

  // The least forgiving extractors: Python's tarfile with no filter, then GNU tar.
  const byPython = join(ctx.work, "by-python");
  mkdirSync(byPython);
  const python = spawnSync("python3", ["-c", "import sys, tarfile\nt = tarfile.open(sys.argv[1])\nt.extraction_filter = None\nt.extractall(sys.argv[2])", layer, byPython], { encoding: "utf8", timeout: 60_000 });
  assert.is(python.status, 0, `${String(python.error ?? "")}${python.stderr}`);
  const byTar = join(ctx.work, "by-tar");
  mkdirSync(byTar);
  execFileSync("tar", ["-xzf", layer, "-C", byTar]);
  assert.ok(existsSync(join(byTar, "usr/share/x/kept")));
  assert.equal(readdirSync(ctx.outside), [], "no extractor wrote through the link");

  // --json lists every note, by package.
  const json = await mcc(ctx, ["compile", spec, "--format", "oci", "-o", join(ctx.work, "again.oci"), "--json"]);
  assert.is(json.code, EXIT.ok, json.stderr);
  const output = json.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { event: string; images?: { extraction: { pkg: string; note: string }[] }[] }).find((e) => e.event === "output");
  assert.equal(output?.images?.[0]?.extraction.map((e) => e.pkg), ["through-link", "through-link"]);
  assert.match(output?.images?.[0]?.extraction[0]?.note ?? "", /two\\u000alines: the name: it holds the control character U\+000A; dropped$/);

  const why = await mcc(ctx, ["why", spec, "/usr/share/x/link/pwned"]);
  assert.is(why.code, EXIT.ok, why.stderr);
  assert.match(why.stdout, /\/usr\/share\/x\/link\/pwned is not in the image: package through-link has it under \/usr\/share\/x\/link, which is a symlink in the image/);
});

test.run();
