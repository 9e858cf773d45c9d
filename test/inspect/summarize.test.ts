import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageFile } from "../../src/inspect/read-image.js";
import { diffImages, dpkgRecords, summarize } from "../../src/inspect/summarize.js";

const file = (path: string, size: number, sha = path): ImageFile => ({ path, kind: "file", size, sha256: sha, mode: 0o644 });
const texts = (version: string) =>
  new Map([
    ["/var/lib/dpkg/status.d/libc6", `Package: libc6\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`],
    ["/var/lib/dpkg/status.d/libc6.md5sums", `${"a".repeat(32)}  lib/x86_64-linux-gnu/libc.so.6\n`],
    ["/var/lib/dpkg/status.d/openssl", "Package: openssl\nVersion: 3.0\nArchitecture: amd64\nConffiles:\n /etc/ssl/openssl.cnf 0123\n"],
  ]);

test("dpkg records give each file its package: md5sums lines through merged /usr, and conffiles", () => {
  const { packages, owners } = dpkgRecords(texts("2.36-9"));
  assert.equal(packages.map((p) => `${p.name} ${p.version}`), ["libc6 2.36-9", "openssl 3.0"]);
  assert.is(owners.get("/usr/lib/x86_64-linux-gnu/libc.so.6"), "libc6");
  assert.is(owners.get("/etc/ssl/openssl.cnf"), "openssl");
});

test("sizes by package and by directory, largest first; files no record lists are unowned", () => {
  const files = [file("/usr/lib/x86_64-linux-gnu/libc.so.6", 2000), file("/etc/ssl/openssl.cnf", 10), file("/etc/passwd", 50), { path: "/usr", kind: "directory", size: 0, mode: 0o755 } as ImageFile];
  const s = summarize(files, texts("2.36-9"));
  assert.equal([s.files, s.bytes], [3, 2060]);
  assert.equal(s.packages.map((g) => `${g.name} ${g.version ?? "-"} ${g.files} ${g.bytes}`), ["libc6 2.36-9 1 2000", "(unowned) - 1 50", "openssl 3.0 1 10"]);
  assert.equal(s.directories.map((g) => `${g.name} ${g.bytes}`), ["/usr/lib 2000", "/etc/passwd 50", "/etc/ssl 10"]);
});

test("diff: files added, removed and changed; package versions; bytes before and after", () => {
  const a = { files: [file("/a", 1), file("/b", 2), file("/c", 3)], texts: texts("2.36-9") };
  const b = { files: [file("/a", 1), file("/c", 4, "other"), file("/d", 5)], texts: texts("2.41-12") };
  const d = diffImages(a, b);
  assert.equal(d.added.map((f) => f.path), ["/d"]);
  assert.equal(d.removed.map((f) => f.path), ["/b"]);
  assert.equal(d.changed.map((c) => c.after.path), ["/c"]);
  assert.equal(d.packages.changed, [{ name: "libc6", from: "2.36-9", to: "2.41-12" }]);
  assert.equal(d.bytes, { before: 6, after: 10 });
  const none = diffImages(a, a);
  assert.equal([none.added.length, none.removed.length, none.changed.length], [0, 0, 0]);
});

test.run();
