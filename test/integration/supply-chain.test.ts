// Supply chain, checked with real parts: one build of the curl example for amd64 and arm64
// into one OCI index that skopeo reads per platform; the arm64 programs run under
// qemu-user; SBOMs that validate against the SPDX 2.3 JSON schema and list exactly the files
// the image holds; dpkg records that list only kept files, with the md5 Debian shipped.
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createNodeHost } from "../../src/host/node-host.js";
import { createBlobStore } from "../../src/cache/store.js";
import { parseLock } from "../../src/resolve/lock.js";
import { mergedUsrPath } from "../../src/debian/merged-usr.js";
import { repoRoot } from "../helpers.js";
import { sharedTestCache } from "../support/io.js";
import { layoutIndexOf, layoutReferrers } from "../support/layout.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-supply-"));
const bin = join(repoRoot, "dist", "cli", "main.js");

function compile(example: string, out: string, extra: string[]): string {
  const r = spawnSync(process.execPath, [bin, "compile", join(repoRoot, "examples", `${example}.yml`), "-o", out, "-q", ...extra], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, MCC_CACHE: sharedTestCache },
  });
  assert.is(r.status, 0, r.stderr);
  return out;
}

const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

interface SpdxDoc {
  packages: { SPDXID: string; name: string; versionInfo?: string; externalRefs?: { referenceLocator: string }[]; checksums?: { algorithm: string; checksumValue: string }[] }[];
  files: { SPDXID: string; fileName: string; checksums: { algorithm: string; checksumValue: string }[] }[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
}

const validateSpdx = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "test", "vendor", "spdx-2.3", "spdx-schema.json"), "utf8")) as object);

/** Every regular file under a directory, as an image path. */
function regularFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel))) {
    const path = `${rel}/${name}`;
    const s = lstatSync(join(root, path));
    if (s.isDirectory()) out.push(...regularFiles(root, path));
    else if (s.isFile()) out.push(path);
  }
  return out.sort();
}

test("curl for amd64 and arm64: one OCI index that skopeo reads for each platform, each with its SBOM attached", () => {
  const layout = compile("curl", join(work, "curl"), ["--format", "oci"]);
  const raw = JSON.parse(tool("skopeo", ["inspect", "--raw", `oci:${layout}`])) as { mediaType: string; manifests: { digest: string; platform: { architecture: string; variant?: string } }[] };
  assert.is(raw.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(raw.manifests.map((m) => [m.platform.architecture, m.platform.variant ?? ""]), [["amd64", ""], ["arm64", "v8"]]);
  for (const arch of ["amd64", "arm64"]) {
    const inspect = JSON.parse(tool("skopeo", ["inspect", "--override-arch", arch, `oci:${layout}`])) as { Architecture: string; Os: string };
    assert.equal([inspect.Architecture, inspect.Os], [arch, "linux"]);
  }
  // The layout's index.json lists the image alone; the index of referrers its annotation
  // names lists one SBOM artifact per image, whose subject is that image.
  assert.is(layoutIndexOf(layout).manifests.length, 1);
  const referrers = layoutReferrers(layout);
  const artifacts = referrers.filter((m) => m.artifactType === "application/spdx+json");
  assert.is(artifacts.length, 2);
  const subjects = artifacts.map((a) => {
    const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", a.digest.slice(7)), "utf8")) as { subject: { digest: string }; layers: { digest: string; mediaType: string }[] };
    assert.is(manifest.layers[0]?.mediaType, "application/spdx+json");
    const sbom = readFileSync(join(layout, "blobs", "sha256", (manifest.layers[0]?.digest ?? "").slice(7)));
    // The same bytes as the SBOM written beside the output.
    const beside = readFileSync(`${layout}.${manifest.subject.digest === raw.manifests[0]?.digest ? "amd64" : "arm64"}.spdx.json`);
    assert.ok(sbom.equals(beside));
    return manifest.subject.digest;
  });
  assert.equal(subjects.sort(), raw.manifests.map((m) => m.digest).sort());
  // And one provenance document per image, the same bytes as the one beside the output.
  const provenance = referrers.filter((m) => m.artifactType === "application/vnd.mcc.provenance.v2+json");
  assert.is(provenance.length, 2);
  for (const p of provenance) {
    const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", p.digest.slice(7)), "utf8")) as { artifactType: string; subject: { digest: string }; layers: { digest: string; mediaType: string }[] };
    const arch = manifest.subject.digest === raw.manifests[0]?.digest ? "amd64" : "arm64";
    assert.ok(raw.manifests.some((m) => m.digest === manifest.subject.digest));
    const doc = readFileSync(join(layout, "blobs", "sha256", (manifest.layers[0]?.digest ?? "").slice(7)));
    assert.ok(doc.equals(readFileSync(`${layout}.${arch}.provenance.json`)));
    const parsed = JSON.parse(doc.toString("utf8")) as { schema: string; image: { arch: string; manifest: string }; plan: { steps: { kind: string }[] } };
    assert.equal([parsed.schema, parsed.image.arch, parsed.image.manifest], ["mcc.provenance.v2", arch, manifest.subject.digest]);
    assert.ok(parsed.plan.steps.some((s) => s.kind === "index"), "the plan records the index of both images");
  }
});

test("the SBOM validates against the SPDX 2.3 schema and lists exactly the image's files, with the right checksums and packages", () => {
  const rootfs = compile("curl", join(work, "curl-amd64.rootfs"), ["--format", "rootfs", "--arch", "amd64"]);
  const doc = JSON.parse(readFileSync(`${rootfs}.spdx.json`, "utf8")) as SpdxDoc;
  assert.ok(validateSpdx(doc), JSON.stringify(validateSpdx.errors?.slice(0, 3)));
  const files = regularFiles(rootfs);
  assert.equal(doc.files.map((f) => f.fileName.slice(1)).sort(), files);
  const byId = new Map(doc.files.map((f) => [f.SPDXID, f]));
  for (const f of doc.files.slice(0, 40)) {
    const bytes = readFileSync(join(rootfs, f.fileName));
    assert.is(f.checksums.find((c) => c.algorithm === "SHA256")?.checksumValue, createHash("sha256").update(bytes).digest("hex"), f.fileName);
    assert.is(f.checksums.find((c) => c.algorithm === "SHA1")?.checksumValue, createHash("sha1").update(bytes).digest("hex"), f.fileName);
  }
  // Each package listed put a file or a link into the image; its purl and .deb digest are the lock's.
  const lock = parseLock(readFileSync(join(repoRoot, "examples", "curl.lock.json"), "utf8"));
  const locked = new Map((lock?.archs["amd64"]?.packages ?? []).map((p) => [p.name, p]));
  const debs = doc.packages.filter((p) => p.SPDXID.startsWith("SPDXRef-Package-deb-"));
  assert.ok(debs.some((p) => p.name === "curl") && debs.some((p) => p.name === "libc6"));
  for (const p of debs) {
    const l = locked.get(p.name);
    assert.ok(l, `${p.name} is in the lock`);
    assert.is(p.versionInfo, l.version);
    assert.is(p.checksums?.[0]?.checksumValue, l.sha256);
    assert.is(p.externalRefs?.[0]?.referenceLocator, `pkg:deb/debian/${p.name}@${encodeURIComponent(l.version)}?arch=${l.arch}&distro=debian-12`);
  }
  const curlId = debs.find((p) => p.name === "curl")?.SPDXID;
  const curlFiles = doc.relationships.filter((r) => r.spdxElementId === curlId && r.relationshipType === "CONTAINS").map((r) => byId.get(r.relatedSpdxElement)?.fileName);
  assert.equal(curlFiles, ["./usr/bin/curl"]);
});

test("status.d names the packages that contributed files; each .md5sums lists only kept files, with the md5 Debian shipped", () => {
  const rootfs = join(work, "curl-amd64.rootfs");
  const status = join(rootfs, "var", "lib", "dpkg", "status.d");
  const doc = JSON.parse(readFileSync(`${rootfs}.spdx.json`, "utf8")) as SpdxDoc;
  const packages = readdirSync(status).filter((n) => !n.endsWith(".md5sums")).sort();
  assert.equal(packages, doc.packages.filter((p) => p.SPDXID.startsWith("SPDXRef-Package-deb-")).map((p) => p.name).sort());
  assert.is(readFileSync(join(rootfs, "etc", "debian_version"), "utf8"), "12\n");
  const lock = parseLock(readFileSync(join(repoRoot, "examples", "curl.lock.json"), "utf8"));
  const store = createBlobStore(createNodeHost(), sharedTestCache);
  let listed = 0;
  for (const name of packages) {
    const stanza = readFileSync(join(status, name), "utf8");
    assert.match(stanza, new RegExp(`^Package: ${name.replace(/[+.]/g, "\\$&")}\nStatus: install ok installed\n`));
    const pkg = lock?.archs["amd64"]?.packages.find((p) => p.name === name);
    assert.ok(pkg);
    const shipped = new Set(tool("dpkg-deb", ["--info", store.pathOf(pkg.sha256), "md5sums"]).split("\n").filter(Boolean));
    let ours: string[] = [];
    try {
      ours = readFileSync(join(status, `${name}.md5sums`), "utf8").split("\n").filter(Boolean);
    } catch {
      // A package that contributed only links has no md5sums.
    }
    for (const line of ours) {
      assert.ok(shipped.has(line), `${name}: ${line} is a line of the package's own md5sums`);
      const path = mergedUsrPath(`/${line.slice(34)}`);
      assert.ok(lstatSync(join(rootfs, path)).isFile(), `${path} is in the image`);
      listed++;
    }
    // Conffiles are in the stanza, as dpkg's status file has them, with the md5 of the kept bytes.
    for (const [, path, md5] of stanza.matchAll(/^ (\/\S+) ([0-9a-f]{32})$/gm)) {
      assert.is(createHash("md5").update(readFileSync(join(rootfs, path as string))).digest("hex"), md5, `${name}: conffile ${path}`);
      listed++;
    }
  }
  // Every package file of the image is listed: the SBOM's package files are the md5sums' files.
  const packageFiles = doc.relationships.filter((r) => r.relationshipType === "CONTAINS" && r.spdxElementId.startsWith("SPDXRef-Package-deb-")).length;
  assert.is(listed, packageFiles);
});

test("metadata turned off: no status.d, no SBOM", () => {
  const spec = join(work, "plain.yml");
  const text = readFileSync(join(repoRoot, "examples", "busybox.yml"), "utf8") + "\nmetadata:\n  sbom: false\n  dpkgStatus: false\n";
  execFileSync("sh", ["-c", `cat > ${spec}`], { input: text });
  const out = join(work, "plain.rootfs");
  const r = spawnSync(process.execPath, [bin, "compile", spec, "--format", "rootfs", "-o", out, "-q"], { encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache } });
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(regularFiles(out).some((p) => p.startsWith("/var/lib/dpkg")));
  assert.is(spawnSync("test", ["-e", `${out}.spdx.json`]).status, 1);
});


// The arm64 programs, traced and laid out on amd64 without emulation, then run by qemu-user.
const armSmoke: [string, string[], RegExp][] = [
  ["curl", ["/usr/bin/curl", "--version"], /^curl 7\.88\.1 \(aarch64-unknown-linux-gnu\)/],
  ["jq", ["/usr/bin/jq", "-n", "[1,2,3]|add"], /^6\n$/],
  ["sqlite3", ["/usr/bin/sqlite3", ":memory:", "select 6*7;"], /^42\n$/],
  ["python3", ["/usr/bin/python3", "-c", "import json,platform;print(json.dumps([platform.machine()]))"], /^\["aarch64"\]\n$/],
  ["busybox", ["/bin/busybox", "uname", "-m"], /^aarch64\n$/],
];

for (const [example, args, expected] of armSmoke) {
  test(`${example} for arm64 runs under qemu-aarch64-static`, () => {
    needTools("qemu-aarch64-static");
    const rootfs = compile(example, join(work, `${example}-arm64.rootfs`), ["--format", "rootfs", "--arch", "arm64"]);
    const [exe, ...rest] = args as [string, ...string[]];
    const r = spawnSync("qemu-aarch64-static", ["-L", rootfs, join(rootfs, exe), ...rest], { encoding: "utf8", timeout: 120_000, env: { PATH: "/usr/bin:/bin" } });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, expected);
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
