// The pure parts of minify: the dpkg database of a full system and of a distroless image, the
// IMAGE argument, and users given by name.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseDpkgDatabase } from "../../src/minify/dpkg-database.js";
import { resolveUser } from "../../src/minify/minify-spec.js";
import { parseImageArgument } from "../../src/minify/source.js";

test("a full system's status and info lists: installed packages only, owners through merged /usr", () => {
  const db = parseDpkgDatabase(
    new Map([
      ["/var/lib/dpkg/status", "Package: bash\nEssential: yes\nStatus: install ok installed\nVersion: 5.2\nArchitecture: amd64\nConffiles:\n /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d\nDescription: shell\n more text\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n"],
      ["/var/lib/dpkg/info/bash.list", "/.\n/bin\n/bin/bash\n/etc/bash.bashrc\n"],
      ["/var/lib/dpkg/info/old.list", "/usr/bin/old\n"],
      ["/var/lib/dpkg/info/libc6:amd64.list", "/lib/x86_64-linux-gnu/libc.so.6\n"],
    ]),
  );
  assert.is(db.kind, "status");
  assert.equal(db.packages.map((p) => `${p.name} ${p.version}`), ["bash 5.2"]);
  assert.equal(db.packages[0]?.conffiles, ["/etc/bash.bashrc"]);
  // The stanza as a control file: no Status, no Conffiles, the rest as dpkg wrote it.
  assert.is(db.packages[0]?.control, "Package: bash\nEssential: yes\nVersion: 5.2\nArchitecture: amd64\nDescription: shell\n more text\n");
  assert.equal(db.owners.get("/usr/bin/bash"), { pkg: "bash", path: "/bin/bash" });
  assert.is(db.owners.get("/usr/bin/old"), undefined);
  assert.is(db.owners.get("/usr/lib/x86_64-linux-gnu/libc.so.6"), undefined, "libc6 is not installed here");
});

test("a distroless image's status.d and md5sums", () => {
  const db = parseDpkgDatabase(
    new Map([
      ["/var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36\nArchitecture: amd64\n"],
      ["/var/lib/dpkg/status.d/libc6.md5sums", `${"a".repeat(32)}  lib/x86_64-linux-gnu/libc.so.6\n`],
    ]),
  );
  assert.is(db.kind, "status.d");
  assert.equal(db.packages.map((p) => p.name), ["libc6"]);
  assert.equal(db.owners.get("/usr/lib/x86_64-linux-gnu/libc.so.6"), { pkg: "libc6", path: "/lib/x86_64-linux-gnu/libc.so.6" });
  assert.is(parseDpkgDatabase(new Map()).kind, "none");
});

test("the IMAGE argument: a path, DIR:TAG, archive:name:tag, transports, registry references", () => {
  const exists = (p: string) => ["layout", "x.tar", "/abs/dir:with:colons"].includes(p);
  assert.equal(parseImageArgument("layout", exists), { kind: "local", path: "layout" });
  assert.equal(parseImageArgument("layout:v1", exists), { kind: "local", path: "layout", tag: "v1" });
  assert.equal(parseImageArgument("oci:layout:v1", exists), { kind: "local", path: "layout", tag: "v1" });
  assert.equal(parseImageArgument("x.tar:curl:full", exists), { kind: "local", path: "x.tar", tag: "curl:full" });
  assert.equal(parseImageArgument("/abs/dir:with:colons", exists), { kind: "local", path: "/abs/dir:with:colons" });
  assert.equal(parseImageArgument("docker://debian:bookworm", exists), { kind: "registry", reference: "debian:bookworm" });
  assert.equal(parseImageArgument("registry.example.org/team/app:1.0", exists), { kind: "registry", reference: "registry.example.org/team/app:1.0" });
  assert.equal(parseImageArgument("localhost:5000/app", exists), { kind: "registry", reference: "localhost:5000/app" });
  // Not a registry host: a missing local path, reported as such.
  assert.equal(parseImageArgument("images/app", exists), { kind: "local", path: "images/app" });
});

test("users: numbers as they are, names from the image's passwd and group", () => {
  const passwd = "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n";
  const group = "root:x:0:\nwww-data:x:33:\nstaff:x:50:\n";
  assert.equal(resolveUser("1000:1000", passwd, group), { name: "nonroot", uid: 1000, gid: 1000 });
  assert.equal(resolveUser("33", passwd, group), { name: "www-data", uid: 33, gid: 33 });
  assert.equal(resolveUser("www-data:staff", passwd, group), { name: "www-data", uid: 33, gid: 50 });
  assert.equal(resolveUser("0", passwd, group), { name: "root", uid: 0, gid: 0 });
  assert.is(resolveUser("nobody", passwd, group), undefined);
  assert.is(resolveUser("www-data:wheel", passwd, group), undefined);
});

test.run();
