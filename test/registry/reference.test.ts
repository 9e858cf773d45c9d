import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatReference, isLoopback, parseReference, ReferenceError } from "../../src/registry/reference.js";

const cases: [string, object][] = [
  ["127.0.0.1:5000/team/curl:1.0", { host: "127.0.0.1:5000", repository: "team/curl", tag: "1.0" }],
  ["127.0.0.1:5000/team/curl", { host: "127.0.0.1:5000", repository: "team/curl", tag: "latest" }],
  ["localhost/curl", { host: "localhost", repository: "curl", tag: "latest" }],
  ["localhost:5000/a/b/c:v2", { host: "localhost:5000", repository: "a/b/c", tag: "v2" }],
  ["registry.example/app@sha256:" + "a".repeat(64), { host: "registry.example", repository: "app", digest: "sha256:" + "a".repeat(64) }],
  ["registry.example/app:1@sha256:" + "b".repeat(64), { host: "registry.example", repository: "app", tag: "1", digest: "sha256:" + "b".repeat(64) }],
  ["[::1]:5000/x:y", { host: "[::1]:5000", repository: "x", tag: "y" }],
  ["my-reg.example:443/a_b/c.d__e-f:Tag_1.2-x", { host: "my-reg.example:443", repository: "a_b/c.d__e-f", tag: "Tag_1.2-x" }],
];

test("references parse by Docker's rules: the host (a dot, a port or localhost) is required; the tag defaults to latest without a digest", () => {
  for (const [text, expected] of cases) assert.equal(parseReference(text), expected, text);
});

test("a parsed reference prints back in full", () => {
  assert.is(formatReference(parseReference("127.0.0.1:5000/team/curl")), "127.0.0.1:5000/team/curl:latest");
  assert.is(formatReference({ ...parseReference("h.example/a:1"), digest: "sha256:" + "c".repeat(64) }), `h.example/a:1@sha256:${"c".repeat(64)}`);
});

test("malformed references are refused with the reason", () => {
  const bad: [string, RegExp][] = [
    ["", /not an image reference/],
    ["127.0.0.1:5000/Team/curl", /not a valid repository name/],
    ["127.0.0.1:5000/team/curl:-x", /not a valid tag/],
    ["127.0.0.1:5000/team/curl@sha256:abc", /not a sha256 digest/],
    ["127.0.0.1:5000/team/curl@md5:" + "a".repeat(32), /not a sha256 digest/],
    ["127.0.0.1:5000/", /names no repository/],
    ["a..b/c", /not a registry host/],
    ["curl", /names no registry/],
    ["team/curl:8", /names no registry/],
    ["host.example/a//b", /not a valid repository name/],
  ];
  for (const [text, message] of bad) {
    try {
      parseReference(text);
      assert.unreachable(`${text} was accepted`);
    } catch (error) {
      assert.instance(error, ReferenceError, text);
      assert.match((error as Error).message, message, text);
    }
  }
});

test("loopback hosts are localhost, 127.0.0.0/8 and ::1, with or without a port", () => {
  for (const h of ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000", "[::1]"]) assert.ok(isLoopback(h), h);
  for (const h of ["10.0.0.1:5000", "192.0.2.1", "registry.example", "127.0.0.1.example", "localhost.example:5000", "[::2]:5000"]) assert.not.ok(isLoopback(h), h);
});

test.run();
