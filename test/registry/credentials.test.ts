import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { credentialsFromDockerConfig, dockerConfigPath, lookupCredentials } from "../../src/registry/credentials.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

test("auths entries match the host however the key is written, with auth or username/password", () => {
  const config = { auths: { "https://reg.example:5000/v1/": { auth: b64("ann:pa:ss") }, "other.example": { username: "bob", password: "pw" } } };
  assert.equal(credentialsFromDockerConfig(config, "reg.example:5000", "cfg").credentials, { username: "ann", password: "pa:ss" });
  assert.equal(credentialsFromDockerConfig(config, "other.example", "cfg").credentials, { username: "bob", password: "pw" });
  assert.is(credentialsFromDockerConfig(config, "reg.example", "cfg").credentials, undefined);
  assert.match(credentialsFromDockerConfig(config, "third.example", "cfg").note, /no entry for third\.example in cfg/);
  const url = { auths: { "https://Reg.Example:5000/v1/": { auth: b64("h:p") } } };
  assert.equal(credentialsFromDockerConfig(url, "reg.example:5000", "cfg").credentials, { username: "h", password: "p" });
});

test("credential helpers and identity tokens are reported as problems, not run", () => {
  const helper = credentialsFromDockerConfig({ auths: { "reg.example": {} }, credHelpers: { "reg.example": "pass" } }, "reg.example", "cfg");
  assert.is(helper.credentials, undefined);
  assert.match(helper.problem ?? "", /credential helper docker-credential-pass, which mcc does not run; set MCC_REGISTRY_USERNAME/);
  const store = credentialsFromDockerConfig({ credsStore: "desktop" }, "reg.example", "cfg");
  assert.match(store.problem ?? "", /docker-credential-desktop/);
  const identity = credentialsFromDockerConfig({ auths: { "reg.example": { identitytoken: "x" } } }, "reg.example", "cfg");
  assert.match(identity.problem ?? "", /identity token/);
  // An entry with usable credentials wins over a global store.
  assert.equal(credentialsFromDockerConfig({ auths: { "reg.example": { auth: b64("a:b") } }, credsStore: "desktop" }, "reg.example", "cfg").credentials, { username: "a", password: "b" });
});

test("the environment comes first, then $DOCKER_CONFIG/config.json, then ~/.docker/config.json", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcc-creds-"));
  try {
    mkdirSync(join(dir, "home", ".docker"), { recursive: true });
    writeFileSync(join(dir, "home", ".docker", "config.json"), JSON.stringify({ auths: { "h.example": { auth: b64("home:1") } } }));
    mkdirSync(join(dir, "dc"));
    writeFileSync(join(dir, "dc", "config.json"), JSON.stringify({ auths: { "h.example": { auth: b64("dc:2") } } }));
    assert.is(dockerConfigPath({ HOME: "/h" }), "/h/.docker/config.json");
    assert.equal((await lookupCredentials("h.example", { HOME: join(dir, "home") })).credentials, { username: "home", password: "1" });
    assert.equal((await lookupCredentials("h.example", { HOME: join(dir, "home"), DOCKER_CONFIG: join(dir, "dc") })).credentials, { username: "dc", password: "2" });
    const env = await lookupCredentials("h.example", { HOME: join(dir, "home"), MCC_REGISTRY_USERNAME: "env", MCC_REGISTRY_PASSWORD: "3" });
    assert.equal(env.credentials, { username: "env", password: "3" });
    assert.match(env.note, /MCC_REGISTRY_USERNAME/);
    const missing = await lookupCredentials("h.example", { HOME: join(dir, "nowhere") });
    assert.is(missing.credentials, undefined);
    assert.match(missing.note, /does not exist/);
    writeFileSync(join(dir, "dc", "config.json"), "{not json");
    assert.match((await lookupCredentials("h.example", { DOCKER_CONFIG: join(dir, "dc") })).problem ?? "", /is not valid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
