import { test } from "uvu";
import * as assert from "uvu/assert";
import { dpkgStatusFiles, statusStanza } from "../../src/assemble/dpkg-status.js";

test("the stanza is the control file, marked installed right after Package", () => {
  const control = "Package: curl\nVersion: 1.0-1\nArchitecture: amd64\nDescription: a tool\n more text\n\n";
  assert.is(statusStanza(control), "Package: curl\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nDescription: a tool\n more text\n");
  // A Status line already there is replaced, not doubled; CRLF is normalized.
  assert.is(statusStanza("Package: x\r\nStatus: deinstall ok config-files\r\nVersion: 1\r\n"), "Package: x\nStatus: install ok installed\nVersion: 1\n");
});

test("md5sums list exactly the kept files, sorted; a package with no kept regular file gets no md5sums", () => {
  const files = dpkgStatusFiles([
    { name: "zlib1g", control: "Package: zlib1g\n", files: [{ path: "usr/lib/x/libz.so.1.2", md5: "b".repeat(32) }], conffiles: [] },
    { name: "libc6", control: "Package: libc6\n", files: [{ path: "lib/x/libc.so.6", md5: "a".repeat(32) }, { path: "lib/x/ld.so", md5: "c".repeat(32) }], conffiles: [] },
    { name: "links-only", control: "Package: links-only\n", files: [], conffiles: [{ path: "/etc/b.conf", md5: "e".repeat(32) }, { path: "/etc/a.conf", md5: "d".repeat(32) }] },
  ]);
  assert.equal(
    files.map((f) => f.path),
    [
      "/var/lib/dpkg/status.d/libc6",
      "/var/lib/dpkg/status.d/libc6.md5sums",
      "/var/lib/dpkg/status.d/links-only",
      "/var/lib/dpkg/status.d/zlib1g",
      "/var/lib/dpkg/status.d/zlib1g.md5sums",
    ],
  );
  assert.is(files[1]?.content, `${"c".repeat(32)}  lib/x/ld.so\n${"a".repeat(32)}  lib/x/libc.so.6\n`);
  // Conffiles are dpkg's Conffiles field, not md5sums lines.
  assert.is(files[2]?.content, `Package: links-only\nStatus: install ok installed\nConffiles:\n /etc/a.conf ${"d".repeat(32)}\n /etc/b.conf ${"e".repeat(32)}\n`);
});

test.run();
