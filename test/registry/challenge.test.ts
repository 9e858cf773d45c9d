import { test } from "uvu";
import * as assert from "uvu/assert";
import { chooseChallenge, parseChallenges } from "../../src/registry/challenge.js";

test("a Bearer challenge gives realm, service and scope (quoted values may hold commas and escapes)", () => {
  const parsed = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/curl:pull,push"');
  assert.equal(parsed, [{ scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:team/curl:pull,push" } }]);
  assert.equal(parseChallenges('Bearer realm="a\\"b"')[0]?.params, { realm: 'a"b' });
});

test("several challenges in one header; Bearer is preferred to Basic; unknown schemes are not chosen", () => {
  const parsed = parseChallenges('Basic realm="r", Bearer realm="https://t/x", service=svc');
  assert.equal(parsed.map((c) => c.scheme), ["basic", "bearer"]);
  assert.equal(parsed[1]?.params, { realm: "https://t/x", service: "svc" });
  assert.is(chooseChallenge(parsed)?.scheme, "bearer");
  assert.is(chooseChallenge(parseChallenges('basic realm="Registry Realm"'))?.scheme, "basic");
  assert.is(chooseChallenge(parseChallenges('Negotiate abc, Digest realm="x"')), undefined);
  assert.equal(parseChallenges(""), []);
});

test.run();
