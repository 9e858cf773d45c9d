import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageFile } from "../../src/inspect/read-image.js";
import { summarize } from "../../src/inspect/summarize.js";
import { distrolessRecords, fullRecords, type FixturePackage } from "../support/dpkg-fixture.js";

const file = (path: string, size: number, sha = path): ImageFile => ({ path, kind: "file", size, sha256: sha, mode: 0o644 });
const link = (path: string, target: string): ImageFile => ({ path, kind: "symlink", size: 0, target, mode: 0o777 });
const packages = (libc: string): FixturePackage[] => [
  { name: "libc6", version: libc, listName: "libc6:amd64", paths: ["/lib", "/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu/libc.so.6"] },
  { name: "openssl", version: "3.0", paths: ["/etc/ssl/openssl.cnf"], conffiles: ["/etc/ssl/openssl.cnf"] },
];

test("distroless records: md5sums lines through merged /usr, conffiles; sizes by package and directory, largest first", () => {
  const files = [file("/usr/lib/x86_64-linux-gnu/libc.so.6", 2000), file("/etc/ssl/openssl.cnf", 10), file("/etc/passwd", 50), { path: "/usr", kind: "directory", size: 0, mode: 0o755 } as ImageFile];
  const s = summarize(files, distrolessRecords(packages("2.36-9")));
  assert.is(s.records, "status.d");
  assert.equal([s.files, s.bytes], [3, 2060]);
  assert.equal(s.packages.map((g) => `${g.name} ${g.version ?? "-"} ${g.files} ${g.bytes}`), ["libc6 2.36-9 1 2000", "(unowned) - 1 50", "openssl 3.0 1 10"]);
  assert.equal(s.directories.map((g) => `${g.name} ${g.bytes}`), ["/usr/lib 2000", "/etc/passwd 50", "/etc/ssl 10"]);
});

test("a full system: files by the lists of installed packages, versions from status, links too, records under (dpkg records)", () => {
  const texts = fullRecords([
    ...packages("2.36-9+deb12u9"),
    { name: "bash", version: "5.2.15-2+b7", paths: ["/bin", "/bin/bash", "/bin/rbash"] },
    { name: "gone", version: "1", status: "deinstall ok config-files", paths: ["/etc/gone.conf"] },
  ]);
  const files = [
    link("/bin", "usr/bin"),
    file("/usr/bin/bash", 1000),
    link("/usr/bin/rbash", "bash"),
    file("/usr/lib/x86_64-linux-gnu/libc.so.6", 2000),
    file("/etc/gone.conf", 5),
    file("/etc/ld.so.cache", 7),
    ...[...texts].map(([path, text]) => file(path, text.length)),
  ];
  const s = summarize(files, texts);
  assert.is(s.records, "status");
  assert.equal(s.packageList.map((p) => `${p.name} ${p.version}`), ["bash 5.2.15-2+b7", "libc6 2.36-9+deb12u9", "openssl 3.0"]);
  const by = new Map(s.packages.map((g) => [g.name, g]));
  assert.equal(by.get("libc6"), { name: "libc6", version: "2.36-9+deb12u9", files: 1, bytes: 2000 });
  assert.equal(by.get("bash"), { name: "bash", version: "5.2.15-2+b7", files: 1, bytes: 1000 });
  // A removed package's leftover conffile and a generated cache are nobody's.
  assert.equal(by.get("(unowned)"), { name: "(unowned)", files: 2, bytes: 12 });
  assert.is(by.get("(dpkg records)")?.files, texts.size);
  assert.is(s.owners.get("/usr/bin/rbash"), "bash");
  assert.is(s.owners.get("/bin"), "(unowned)", "the merged-/usr link is no package's, though lists name /bin");
  assert.is(by.has("gone"), false);
});

test("provenance owners fill in what no record lists", () => {
  const s = summarize([file("/etc/passwd", 50)], new Map(), new Map([["/etc/passwd", "(mcc)"]]));
  assert.is(s.records, "none");
  assert.equal(s.packages.map((g) => g.name), ["(mcc)"]);
});

test.run();
