import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RegistryError } from "../../src/registry/errors.js";
import type { Descriptor } from "../../src/formats/oci-media-types.js";
import { planPush } from "../../src/registry/push-plan.js";
import { mergeReferrers, referrersTag } from "../../src/registry/referrers-tag.js";

/** A tiny layout in memory: blobs by digest, built from JSON documents. */
function layout() {
  const blobs = new Map<string, Buffer>();
  const put = (content: string | object, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor => {
    const bytes = Buffer.from(typeof content === "string" ? content : JSON.stringify(content));
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  };
  const read = async (digest: string) => {
    const b = blobs.get(digest);
    if (b === undefined) throw new Error(`no ${digest}`);
    return b;
  };
  return { put, read, blobs };
}

const M = "application/vnd.oci.image.manifest.v1+json";
const I = "application/vnd.oci.image.index.v1+json";

function image(l: ReturnType<typeof layout>, arch: string) {
  const config = l.put({ architecture: arch }, "application/vnd.oci.image.config.v1+json");
  const layer = l.put(`layer-${arch}`, "application/vnd.oci.image.layer.v1.tar+gzip");
  return l.put({ schemaVersion: 2, mediaType: M, config, layers: [layer] }, M, { platform: { architecture: arch, os: "linux" } });
}

test("an index is planned children first, blobs deduplicated, SBOM artifacts after their subjects", async () => {
  const l = layout();
  const amd = image(l, "amd64");
  const arm = image(l, "arm64");
  const index = l.put({ schemaVersion: 2, mediaType: I, manifests: [amd, arm] }, I, { annotations: { "org.opencontainers.image.ref.name": "latest" } });
  const empty = l.put("{}", "application/vnd.oci.empty.v1+json");
  const sbom = l.put('{"spdxVersion":"SPDX-2.3"}', "application/spdx+json");
  const artifact = l.put({ schemaVersion: 2, mediaType: M, artifactType: "application/spdx+json", config: empty, layers: [sbom], subject: amd }, M, { artifactType: "application/spdx+json" });
  const stranger = l.put({ schemaVersion: 2, mediaType: M, artifactType: "x/y", config: empty, layers: [], subject: { mediaType: M, digest: `sha256:${"0".repeat(64)}`, size: 1 } }, M, { artifactType: "x/y" });
  const plan = await planPush([index, artifact, stranger], l.read, "latest");
  assert.equal(plan.manifests.map((m) => [m.digest, m.platform]), [[amd.digest, "linux/amd64"], [arm.digest, "linux/arm64"]]);
  assert.is(plan.top.digest, index.digest);
  assert.is(plan.top.mediaType, I);
  assert.is(plan.blobs.length, 6, "two configs, two layers, the empty config and the SBOM");
  assert.equal(plan.referrers.map((r) => [r.digest, r.subject, r.artifactType]), [[artifact.digest, amd.digest, "application/spdx+json"]]);
  assert.equal(plan.ignored.map((d) => d.digest), [stranger.digest]);
});

test("a layout whose blob does not match its descriptor, or that names no image, is refused", async () => {
  const l = layout();
  const amd = image(l, "amd64");
  await assert.not.throws(() => planPush([amd], l.read));
  try {
    await planPush([{ ...amd, size: amd.size + 1 }], l.read);
    assert.unreachable("accepted");
  } catch (error) {
    assert.instance(error, RegistryError);
    assert.match((error as Error).message, /does not match its descriptor/);
  }
  try {
    await planPush([], l.read);
    assert.unreachable("accepted");
  } catch (error) {
    assert.match((error as Error).message, /names no image/);
  }
  const two = [{ ...amd, annotations: { "org.opencontainers.image.ref.name": "a" } }, { ...image(l, "arm64"), annotations: { "org.opencontainers.image.ref.name": "b" } }];
  assert.is((await planPush(two, l.read, "b")).top.digest, two[1]!.digest);
  try {
    await planPush(two, l.read, "c");
    assert.unreachable("accepted");
  } catch (error) {
    assert.match((error as Error).message, /names 2 images \(a, b\); give a tag that matches one/);
  }
});

test("the referrers tag schema: sha256-<hex>, an index merged by digest in digest order", () => {
  assert.is(referrersTag(`sha256:${"ab".repeat(32)}`), `sha256-${"ab".repeat(32)}`);
  const d = (c: string) => ({ mediaType: M, digest: `sha256:${c.repeat(64)}`, size: 1, artifactType: "a/b" });
  const merged = JSON.parse(mergeReferrers([d("b"), d("a")], [d("c"), d("a")]).toString("utf8")) as { mediaType: string; manifests: Descriptor[] };
  assert.is(merged.mediaType, I);
  assert.equal(merged.manifests.map((m) => m.digest[7]), ["a", "b", "c"]);
});

test.run();
