// Simple signing's claim and its OpenPGP envelope: what a signature says, when it matches the
// image asked for, and what verification refuses (another key, a changed byte, a passphrase).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateKey, KeyError, readSigningKey, readVerifyingKeys, signMessage, verifyMessage } from "../../src/signing/openpgp.js";
import { claimBytes, claimMatches, parseClaim } from "../../src/signing/simple-signing.js";
import { signatureDirectory } from "../../src/registry/lookaside.js";
import { openEnvelope, pae, signStatement, statementCovers, statementFor } from "../../src/signing/attestations.js";
import { checkCosignLayer, cosignLayer, cosignManifest, cosignPayload, cosignTag, generateCosignKey, readCosignPrivateKey, readCosignPublicKey } from "../../src/signing/cosign.js";

const digest = `sha256:${"ab".repeat(32)}`;

test("the claim is the JSON containers/image reads, and reads back", () => {
  const bytes = claimBytes({ reference: "127.0.0.1:5000/team/app:1", digest }, "mcc 0.1.0", 1700000000);
  assert.equal(JSON.parse(new TextDecoder().decode(bytes)), {
    critical: { identity: { "docker-reference": "127.0.0.1:5000/team/app:1" }, image: { "docker-manifest-digest": digest }, type: "atomic container signature" },
    optional: { creator: "mcc 0.1.0", timestamp: 1700000000 },
  });
  assert.equal(parseClaim(bytes), { reference: "127.0.0.1:5000/team/app:1", digest });
  assert.equal(parseClaim(new TextEncoder().encode('{"critical":{"type":"cosign container image signature"}}')), { problem: 'its type is "cosign container image signature", not "atomic container signature"' });
  assert.equal(parseClaim(new TextEncoder().encode("not json")), { problem: "its content is not JSON" });
});

test("a claim matches by digest and exact reference for a tag, by repository for a digest", () => {
  const claim = { reference: "127.0.0.1:5000/team/app:1", digest };
  assert.is(claimMatches(claim, { repository: "127.0.0.1:5000/team/app", reference: "127.0.0.1:5000/team/app:1", digest }), undefined);
  assert.match(claimMatches(claim, { repository: "127.0.0.1:5000/team/app", reference: "127.0.0.1:5000/team/app:2", digest }) ?? "", /signed for .*:1, not .*:2/);
  assert.match(claimMatches(claim, { repository: "127.0.0.1:5000/team/app", reference: "127.0.0.1:5000/team/app:1", digest: `sha256:${"cd".repeat(32)}` }) ?? "", /for the manifest/);
  assert.is(claimMatches(claim, { repository: "127.0.0.1:5000/team/app", digest }), undefined);
  assert.match(claimMatches(claim, { repository: "127.0.0.1:5000/team/other", digest }) ?? "", /another repository/);
});

test("the lookaside directory of a manifest is REPOSITORY@sha256=HEX", () => {
  assert.is(signatureDirectory("team/app", digest), `team/app@sha256=${"ab".repeat(32)}`);
});

test("a signed message verifies with its key, not with another, and not after a byte changed", async () => {
  const mine = await generateKey({ name: "test" }, undefined);
  const other = await generateKey({ name: "other" }, undefined);
  const key = await readSigningKey(new TextEncoder().encode(mine.privateKey), undefined);
  const content = new TextEncoder().encode('{"hello":"world"}');
  const signed = await signMessage(content, key, new Date());
  const keys = await readVerifyingKeys(new TextEncoder().encode(mine.publicKey));
  const ok = await verifyMessage(signed, keys);
  assert.ok("content" in ok);
  if ("content" in ok) {
    assert.is(new TextDecoder().decode(ok.content), '{"hello":"world"}');
    assert.is(ok.fingerprint, mine.fingerprint);
  }
  assert.equal(await verifyMessage(signed, await readVerifyingKeys(new TextEncoder().encode(other.publicKey))), { problem: "it was made by a key that is not in the keyring" });
  // The literal data sits in the middle of the message: change one byte of it.
  const changed = Uint8Array.from(signed);
  const at = Buffer.from(signed).indexOf("hello");
  changed[at] = 0x48;
  const refused = await verifyMessage(changed, keys);
  assert.ok("problem" in refused, "a changed byte verified");
});

test("a key protected by a passphrase opens only with it, and says how to give it", async () => {
  const locked = await generateKey({ name: "locked" }, "s3cret");
  const bytes = new TextEncoder().encode(locked.privateKey);
  await readSigningKey(bytes, "s3cret");
  for (const [passphrase, message] of [
    [undefined, /--passphrase-file FILE or the MCC_PASSPHRASE/],
    ["wrong", /the passphrase does not open it/],
  ] as const) {
    try {
      await readSigningKey(bytes, passphrase);
      assert.unreachable("opened");
    } catch (error) {
      assert.instance(error, KeyError);
      assert.match((error as Error).message, message);
    }
  }
  try {
    await readSigningKey(new TextEncoder().encode(locked.publicKey), undefined);
    assert.unreachable("a public key signed");
  } catch (error) {
    assert.instance(error, KeyError);
  }
});

test("DSSE's pre-authentication encoding, as its specification's example gives it", () => {
  assert.is(new TextDecoder().decode(pae("http://example.com/HelloWorld", new TextEncoder().encode("hello world"))), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
});

test("an attestation: an in-toto statement about the image, signed in a DSSE envelope; it covers only its own document", async () => {
  const mine = await generateKey({ name: "test" }, undefined);
  const key = await readSigningKey(new TextEncoder().encode(mine.privateKey), undefined);
  const sbom = { spdxVersion: "SPDX-2.3", name: "hello" };
  const statement = statementFor("127.0.0.1:5000/team/app", digest, "application/spdx+json", sbom);
  assert.equal(statement.subject, [{ name: "127.0.0.1:5000/team/app", digest: { sha256: "ab".repeat(32) } }]);
  assert.is(statement.predicateType, "https://spdx.dev/Document");
  const envelope = await signStatement(statement, key, new Date());
  const opened = await openEnvelope(envelope, await readVerifyingKeys(new TextEncoder().encode(mine.publicKey)));
  assert.ok("statement" in opened);
  if ("statement" in opened) {
    assert.ok(statementCovers(opened.statement, digest, "application/spdx+json", sbom));
    assert.not.ok(statementCovers(opened.statement, digest, "application/spdx+json", { ...sbom, name: "other" }));
    assert.not.ok(statementCovers(opened.statement, `sha256:${"cd".repeat(32)}`, "application/spdx+json", sbom));
  }
});

test("cosign's format: the .sig tag, the payload, a layer whose annotation verifies, and what does not", () => {
  assert.is(cosignTag(digest), `sha256-${"ab".repeat(32)}.sig`);
  const pair = generateCosignKey("pw");
  const key = readCosignPrivateKey(new TextEncoder().encode(pair.privateKey), "pw");
  const pub = readCosignPublicKey(new TextEncoder().encode(pair.publicKey));
  const payload = cosignPayload("127.0.0.1:5000/team/app", digest);
  assert.equal(JSON.parse(payload.toString()), { critical: { identity: { "docker-reference": "127.0.0.1:5000/team/app" }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null });
  const layer = cosignLayer(payload, key);
  assert.is(layer.mediaType, "application/vnd.dev.cosign.simplesigning.v1+json");
  const signature = layer.annotations["dev.cosignproject.cosign/signature"];
  assert.is(checkCosignLayer(payload, signature, digest, pub), undefined);
  assert.match(checkCosignLayer(payload, signature, `sha256:${"cd".repeat(32)}`, pub) ?? "", /is for sha256:abab/);
  const changed = Buffer.from(payload.toString().replace("team/app", "team/apq"));
  assert.is(checkCosignLayer(changed, signature, digest, pub), "a signature does not verify with the key");
  const other = readCosignPublicKey(new TextEncoder().encode(generateCosignKey(undefined).publicKey));
  assert.is(checkCosignLayer(payload, signature, digest, other), "a signature does not verify with the key");
  const { manifest } = cosignManifest([layer]);
  assert.equal((JSON.parse(manifest.toString()) as { layers: unknown[] }).layers, [layer]);
  assert.throws(() => readCosignPrivateKey(new TextEncoder().encode(pair.privateKey), undefined), /protected by a passphrase/);
  assert.throws(() => readCosignPrivateKey(new TextEncoder().encode(pair.privateKey), "wrong"), /does not open it/);
});

test.run();
