// The pure parts of minify: the IMAGE argument, and users given by name (the dpkg database it
// shares with inspect is tested in test/debian/dpkg-database.test.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveUser } from "../../src/minify/minify-spec.js";
import { parseImageArgument } from "../../src/minify/source.js";

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
