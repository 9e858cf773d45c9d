import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveRef, specSchema } from "../../src/schema/spec-schema.js";
import { normalizeUser } from "../../src/validate/normalize.js";
import { loadText, minimalSpec } from "../helpers.js";

test("every user form becomes name, uid and gid", () => {
  assert.equal(normalizeUser(undefined), { name: "nonroot", uid: 65532, gid: 65532 });
  assert.equal(normalizeUser(0), { name: "root", uid: 0, gid: 0 });
  assert.equal(normalizeUser(1000), { name: "nonroot", uid: 1000, gid: 1000 });
  assert.equal(normalizeUser("1000:50"), { name: "nonroot", uid: 1000, gid: 50 });
  assert.equal(normalizeUser("root"), { name: "root", uid: 0, gid: 0 });
  assert.equal(normalizeUser("app"), { name: "app", uid: 65532, gid: 65532 });
  assert.equal(normalizeUser({ uid: 10 }), { name: "nonroot", uid: 10, gid: 10 });
  assert.equal(normalizeUser({ name: "app" }), { name: "app", uid: 65532, gid: 65532 });
  assert.equal(normalizeUser({ name: "root", gid: 5 }), { name: "root", uid: 0, gid: 5 });
  assert.equal(normalizeUser({ name: "www", uid: 33, gid: 34 }), { name: "www", uid: 33, gid: 34 });
});

test("the defaults applied are the defaults the schema states", async () => {
  const loaded = await loadText(minimalSpec());
  const spec = loaded.spec;
  assert.ok(spec);
  const top = specSchema.properties ?? {};
  const from = resolveRef(top["from"] ?? {}).properties ?? {};
  const fileProps = resolveRef({ $ref: "#/$defs/file" }).properties ?? {};
  assert.is(spec.tag, top["tag"]?.default);
  assert.is(spec.version, top["version"]?.default);
  assert.is(spec.from.distro, from["distro"]?.default);
  assert.is(spec.from.release, from["release"]?.default);
  assert.equal(spec.from.components, from["components"]?.default);
  assert.equal(spec.args, top["args"]?.default);
  assert.equal(spec.env, top["env"]?.default);
  assert.equal(spec.user, resolveRef(top["user"] ?? {}).default);
  assert.is(spec.workdir, top["workdir"]?.default);
  assert.equal(spec.mounts, top["mounts"]?.default);
  assert.equal(spec.include, top["include"]?.default);
  assert.equal(spec.exclude, top["exclude"]?.default);
  assert.equal(spec.files, top["files"]?.default);
  assert.equal(spec.ports, top["ports"]?.default);
  assert.equal(spec.labels, top["labels"]?.default);
  assert.equal(spec.outputs, [{ format: "oci", path: "out/hello" }]);
  assert.equal(top["output"]?.default, { format: "oci", path: "out/<name>" });
  const withFile = await loadText(minimalSpec("files: [{path: /etc/x, content: y}]\n"));
  assert.is(withFile.spec?.files[0]?.mode, parseInt(String(fileProps["mode"]?.default), 8));
});

test("the host's architecture is the default, and outputs get a path per format", async () => {
  const loaded = await loadText(minimalSpec("output:\n  - format: oci\n  - format: docker-archive\n  - {format: iso, path: dist/x.iso}\n"));
  assert.equal(loaded.spec?.from.archs, ["amd64"]);
  assert.equal(loaded.spec?.outputs, [
    { format: "oci", path: "out/hello" },
    { format: "docker-archive", path: "out/hello.docker.tar" },
    { format: "iso", path: "dist/x.iso" },
  ]);
});

test("env and labels are sorted, ports parsed, pins split", async () => {
  const loaded = await loadText(
    minimalSpec("env: {B: '1', A: '2'}\nports: [8080, 53/udp, \"9000/sctp\"]\n").replace("[hello]", "[hello=2.12-1, libc6]"),
  );
  assert.equal(Object.keys(loaded.spec?.env ?? {}), ["A", "B"]);
  assert.equal(loaded.spec?.ports, [
    { port: 8080, protocol: "tcp" },
    { port: 53, protocol: "udp" },
    { port: 9000, protocol: "sctp" },
  ]);
  assert.equal(loaded.spec?.packages, [{ name: "hello", version: "2.12-1" }, { name: "libc6" }]);
});

test.run();
