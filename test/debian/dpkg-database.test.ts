// The one dpkg database reader mcc minify, inspect and diff share: a full system's status and
// info lists, a distroless image's status.d, owners through merged /usr.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isDpkgRecord, ownerOf, parseDpkgDatabase } from "../../src/debian/dpkg-database.js";
import { distrolessRecords, fullRecords } from "../support/dpkg-fixture.js";

const full = fullRecords([
  { name: "bash", version: "5.2.15-2+b7", paths: ["/bin", "/bin/bash", "/etc/bash.bashrc", "/usr/share/doc/bash/copyright"], conffiles: ["/etc/bash.bashrc"] },
  { name: "libc6", version: "2.36-9+deb12u9", listName: "libc6:amd64", paths: ["/lib", "/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"] },
  { name: "curl", version: "7.88.1-10+deb12u8", paths: ["/usr", "/usr/bin", "/usr/bin/curl"] },
  { name: "old", version: "1.0", status: "deinstall ok config-files", paths: ["/usr/bin/old", "/etc/old.conf"] },
  { name: "half", version: "2.0", status: "install reinstreq half-installed", paths: ["/usr/bin/half"] },
  { name: "held", version: "3.0", status: "hold ok installed", paths: ["/usr/bin/held"] },
]);

test("a full system: only installed packages (held counts, deinstalled and half-installed do not), versions from status", () => {
  const db = parseDpkgDatabase(full);
  assert.is(db.kind, "status");
  assert.equal(db.packages.map((p) => `${p.name} ${p.version} ${p.arch}`), ["bash 5.2.15-2+b7 amd64", "curl 7.88.1-10+deb12u8 amd64", "held 3.0 amd64", "libc6 2.36-9+deb12u9 amd64"]);
  assert.equal(db.packages[0]?.conffiles, ["/etc/bash.bashrc"]);
  // The stanza as a control file: no Status, no Conffiles, the rest as dpkg wrote it.
  assert.is(db.packages[0]?.control, "Package: bash\nPriority: optional\nArchitecture: amd64\nVersion: 5.2.15-2+b7\nDescription: the bash package\n a longer description\n .\n over lines\n");
  // A deinstalled package's leftover list, and a half-installed one's, own nothing.
  assert.is(ownerOf(db, "/usr/bin/old"), undefined);
  assert.is(ownerOf(db, "/etc/old.conf"), undefined);
  assert.is(ownerOf(db, "/usr/bin/half"), undefined);
  assert.is(ownerOf(db, "/usr/bin/held")?.pkg, "held");
});

test("a .list's /bin and /lib paths own the image's /usr paths (and an unmerged image's own paths)", () => {
  const db = parseDpkgDatabase(full);
  assert.equal(ownerOf(db, "/usr/bin/bash"), { pkg: "bash", path: "/bin/bash" });
  assert.equal(ownerOf(db, "/bin/bash"), { pkg: "bash", path: "/bin/bash" });
  assert.equal(ownerOf(db, "/usr/lib64/ld-linux-x86-64.so.2"), { pkg: "libc6", path: "/lib64/ld-linux-x86-64.so.2" });
  assert.equal(ownerOf(db, "/usr/bin/curl"), { pkg: "curl", path: "/usr/bin/curl" });
  assert.is(ownerOf(db, "/usr/bin/nothing"), undefined);
  // "/." is every list's first line: nobody owns the root; nor the merged-/usr link /bin,
  // though bash's list names /bin (a directory in the package).
  assert.is(ownerOf(db, "/."), undefined);
  assert.is(ownerOf(db, "/bin"), undefined);
  assert.is(ownerOf(db, "/usr/bin")?.pkg, "bash");
});

test("an arch-qualified list (libc6:amd64.list) belongs to its package", () => {
  const db = parseDpkgDatabase(full);
  assert.equal(ownerOf(db, "/usr/lib/x86_64-linux-gnu/libc.so.6"), { pkg: "libc6", path: "/lib/x86_64-linux-gnu/libc.so.6" });
  // Not installed here: its list owns nothing.
  const without = new Map([...full].filter(([p]) => p !== "/var/lib/dpkg/status"));
  without.set("/var/lib/dpkg/status", (full.get("/var/lib/dpkg/status") ?? "").replace(/Package: libc6\nStatus: install ok installed/, "Package: libc6\nStatus: deinstall ok config-files"));
  assert.is(ownerOf(parseDpkgDatabase(without), "/usr/lib/x86_64-linux-gnu/libc.so.6"), undefined);
});

test("a path two lists name goes to the first package by name, whatever the order read", () => {
  const texts = fullRecords([
    { name: "zz", version: "1", paths: ["/usr/bin/shared"] },
    { name: "aa", version: "1", paths: ["/usr/bin/shared"] },
  ]);
  assert.is(ownerOf(parseDpkgDatabase(texts), "/usr/bin/shared")?.pkg, "aa");
  assert.is(ownerOf(parseDpkgDatabase(new Map([...texts].reverse())), "/usr/bin/shared")?.pkg, "aa");
});

test("a distroless image's status.d and md5sums; no records at all", () => {
  const db = parseDpkgDatabase(distrolessRecords([{ name: "libc6", version: "2.36", paths: ["/lib/x86_64-linux-gnu/libc.so.6"], conffiles: ["/etc/ld.so.conf.d/x.conf"] }]));
  assert.is(db.kind, "status.d");
  assert.equal(db.packages.map((p) => `${p.name} ${p.version}`), ["libc6 2.36"]);
  assert.equal(ownerOf(db, "/usr/lib/x86_64-linux-gnu/libc.so.6"), { pkg: "libc6", path: "/lib/x86_64-linux-gnu/libc.so.6" });
  assert.is(ownerOf(db, "/etc/ld.so.conf.d/x.conf")?.pkg, "libc6");
  assert.is(parseDpkgDatabase(new Map()).kind, "none");
});

test("which files are records", () => {
  for (const p of ["/var/lib/dpkg/status", "/var/lib/dpkg/info/curl.list", "/var/lib/dpkg/info/libc6:amd64.list", "/var/lib/dpkg/status.d/curl", "/var/lib/dpkg/status.d/curl.md5sums"]) assert.ok(isDpkgRecord(p), p);
  for (const p of ["/var/lib/dpkg/status-old", "/var/lib/dpkg/info/curl.md5sums", "/var/lib/dpkg/info/curl.postinst", "/var/lib/dpkg/available", "/etc/status"]) assert.not.ok(isDpkgRecord(p), p);
});

test.run();
