import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { licenseRefOf, packageLicense, spdxIdOf } from "../../src/sbom/debian-licenses.js";
import { copyrightPart } from "../../src/sbom/image-sbom.js";
import { debPurl, spdxBytes, spdxDocument, spdxFilesText, spdxJoin, type SbomInput } from "../../src/sbom/spdx.js";
import { repoRoot } from "../helpers.js";

const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, "test", "vendor", "spdx-2.3", "spdx-schema.json"), "utf8")) as object);

test("Debian license names become SPDX ids; unknown ones LicenseRefs", () => {
  assert.is(spdxIdOf("GPL-2+"), "GPL-2.0-or-later");
  assert.is(spdxIdOf("GPL-2"), "GPL-2.0-only");
  assert.is(spdxIdOf("LGPL-2.1+"), "LGPL-2.1-or-later");
  assert.is(spdxIdOf("Expat"), "MIT");
  assert.is(spdxIdOf("BSD-3-clause"), "BSD-3-Clause");
  assert.is(spdxIdOf("apache-2.0"), "Apache-2.0");
  assert.is(spdxIdOf("public-domain"), undefined);
  assert.is(spdxIdOf("GPL-2+ with OpenSSL exception"), undefined);
  assert.is(licenseRefOf("GPL-2+ with OpenSSL exception"), "LicenseRef-Debian-GPL-2-with-OpenSSL-exception");
});

const dep5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: demo

Files: *
Copyright: 2020 Someone
License: GPL-2+ or Artistic

Files: lib/*
Copyright: 2021 Other
License: Expat, and BSD-3-clause

Files: vendor/*
Copyright: nobody
License: public-domain
 This code is in the public domain.
 .
 Really.

Files: debian/*
Copyright: 2022 Maintainer
License: GPL-2+
`;

test("a machine-readable copyright file gives the conjunction of its Files licenses, each term once, with texts for LicenseRefs", () => {
  const license = packageLicense(dep5);
  assert.is(license.expression, "(GPL-2.0-or-later OR Artistic-1.0-Perl) AND MIT AND BSD-3-Clause AND LicenseRef-Debian-public-domain AND GPL-2.0-or-later");
  assert.equal(license.extracted, [{ id: "LicenseRef-Debian-public-domain", name: "public-domain", text: "This code is in the public domain.\n\nReally." }]);
});

test("a copyright file that is not machine-readable, or none, asserts nothing", () => {
  assert.is(packageLicense("This is the Debian prepackaged version of X.\nCopyright: someone\n").expression, "NOASSERTION");
  assert.is(packageLicense(undefined).expression, "NOASSERTION");
});

const input: SbomInput = {
  name: "demo",
  tag: "latest",
  arch: "amd64",
  release: "bookworm",
  releaseVersion: "12",
  epoch: 0,
  tool: "mcc-test",
  image: { manifest: `sha256:${"a".repeat(64)}`, layers: [{ digest: `sha256:${"b".repeat(64)}`, diffId: `sha256:${"c".repeat(64)}` }] },
  packages: [
    { name: "libstdc++6", version: "1:12.2-1", arch: "amd64", source: "gcc-12", sha256: "d".repeat(64), license: packageLicense(dep5).expression, extracted: packageLicense(dep5).extracted },
  ],
  files: [
    { path: "/etc/passwd", sha256: "e".repeat(64), sha1: "f".repeat(40), pkg: "(mcc)", comment: "written by mcc: users" },
    { path: "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", sha256: "1".repeat(64), sha1: "2".repeat(40), pkg: "libstdc++6" },
  ],
};

test("the SPDX document validates, is byte-stable, and relates each file to its package", () => {
  const bytes = spdxBytes(input);
  assert.ok(bytes.equals(spdxBytes(input)));
  const doc = JSON.parse(bytes.toString()) as { creationInfo: { created: string }; documentNamespace: string; packages: { SPDXID: string; externalRefs?: { referenceLocator: string }[] }[]; relationships: { spdxElementId: string; relatedSpdxElement: string }[]; files: { SPDXID: string; fileName: string }[] };
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.is(doc.creationInfo.created, "1970-01-01T00:00:00Z");
  assert.match(doc.documentNamespace, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // `+` is not allowed in an SPDX id: it is spelled out, so distinct names stay distinct.
  const deb = doc.packages.find((p) => p.SPDXID.startsWith("SPDXRef-Package-deb-"));
  assert.is(deb?.SPDXID, "SPDXRef-Package-deb-libstdc-2b-2b6-amd64");
  assert.is(deb?.externalRefs?.[0]?.referenceLocator, "pkg:deb/debian/libstdc%2B%2B6@1%3A12.2-1?arch=amd64&distro=debian-12");
  const owner = (name: string) => doc.relationships.find((r) => r.relatedSpdxElement === doc.files.find((f) => f.fileName === name)?.SPDXID)?.spdxElementId;
  assert.is(owner("./usr/lib/x86_64-linux-gnu/libstdc++.so.6"), deb?.SPDXID);
  assert.is(owner("./etc/passwd"), "SPDXRef-Layer");
  // Another image is another namespace; another epoch another date.
  const other = JSON.parse(spdxBytes({ ...input, image: { ...input.image, manifest: `sha256:${"9".repeat(64)}` }, epoch: 1700000000 }).toString()) as typeof doc;
  assert.is.not(other.documentNamespace, doc.documentNamespace);
  assert.is(other.creationInfo.created, "2023-11-14T22:13:20Z");
});

test("purls percent-encode epochs and pluses", () => {
  assert.is(debPurl({ name: "zlib1g", version: "1:1.2.13.dfsg-1", arch: "amd64" }, "12"), "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12");
});

// Any text, quotes, backslashes, newlines and characters beyond the BMP included.
const text = fc.string({ unit: "binary", maxLength: 12 });
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const arbitraryInput: fc.Arbitrary<SbomInput> = fc.record({
  name: text,
  tag: text,
  arch: fc.constantFrom("amd64", "arm64"),
  release: text,
  releaseVersion: fc.option(text, { nil: undefined }),
  epoch: fc.integer({ min: 0, max: 4_000_000_000 }),
  tool: text,
  image: fc.record({
    manifest: hex(64).map((h) => `sha256:${h}`),
    layers: fc.array(fc.record({ digest: hex(64).map((h) => `sha256:${h}`), diffId: hex(64).map((h) => `sha256:${h}`) }), { minLength: 1, maxLength: 3 }),
  }),
  packages: fc.array(
    fc.record({
      name: text,
      version: text,
      arch: fc.constantFrom("amd64", "arm64", "all"),
      source: text,
      sha256: fc.oneof(fc.constant(""), hex(64)),
      local: fc.option(text, { nil: undefined }),
      license: text,
      extracted: fc.array(fc.record({ id: text, name: text, text }), { maxLength: 2 }),
    }),
    { maxLength: 4 },
  ),
  files: fc.array(fc.record({ path: text, sha256: hex(64), sha1: hex(40), pkg: fc.oneof(text, fc.constantFrom("(mcc)", "(spec)")), comment: fc.option(text, { nil: undefined }) }), { maxLength: 6 }),
});

test("the SBOM written in two parts (the image's, the files' kept apart) is exactly the document as one JSON text", () => {
  fc.assert(
    fc.property(arbitraryInput, (input) => {
      const whole = JSON.stringify(spdxDocument(input), null, 2) + "\n";
      assert.is(spdxBytes(input).toString(), whole);
      // The files' part made for the same files and layer count, and kept: the same bytes.
      const kept = JSON.parse(JSON.stringify(spdxFilesText({ ...input, layerCount: input.image.layers.length }))) as ReturnType<typeof spdxFilesText>;
      assert.is(spdxJoin(input, kept).toString(), whole);
    }),
    { numRuns: 300 },
  );
});

test("the part of a manifest the SBOM keeps: its links and copyright files, and where those lie in the pack", () => {
  const file = (path: string, sha256: string) => ({ kind: "file" as const, path, mode: 0o644, size: 3, sha256 });
  const manifest = {
    deb: "d".repeat(64),
    control: { control: "c".repeat(64) },
    notes: [],
    entries: [
      { kind: "directory" as const, path: "/usr/share/doc/p", mode: 0o755 },
      file("/usr/share/doc/p/copyright", "1".repeat(64)),
      file("/usr/share/doc/p/changelog.gz", "2".repeat(64)),
      file("/usr/lib/libp.so.1", "3".repeat(64)),
      { kind: "symlink" as const, path: "/usr/share/doc/q", target: "p" },
      { kind: "symlink" as const, path: "/usr/lib/libp.so", target: "libp.so.1" },
    ],
    pack: { sha256: "e".repeat(64), files: { ["1".repeat(64)]: [0, 3] as const, ["2".repeat(64)]: [3, 3] as const, ["3".repeat(64)]: [6, 3] as const, ["c".repeat(64)]: [9, 3] as const } },
  };
  const part = copyrightPart(manifest);
  assert.equal(part.entries.map((e) => e.path), ["/usr/share/doc/p/copyright", "/usr/share/doc/q", "/usr/lib/libp.so"]);
  assert.equal(part.pack, { sha256: "e".repeat(64), files: { ["1".repeat(64)]: [0, 3] } });
  assert.equal(part.control, manifest.control);
  // An image's files read as packages have no pack: the entries alone are kept.
  const { pack: _, ...unpacked } = manifest;
  assert.equal(copyrightPart(unpacked).pack, undefined);
});

test.run();
