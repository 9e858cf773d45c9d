// The registry tier of the step cache, against a recording stand-in for the registry client:
// entries written at once upload a shared blob once; a result read back enters the local cache
// with its blobs. (The real registry is in test/integration/shared-cache.test.ts.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRegistryCache } from "../../src/execute/registry-cache.js";
import { createNodeHost } from "../../src/host/node-host.js";
import { createBlobStore } from "../../src/cache/store.js";
import type { StepCache } from "../../src/execute/execute.js";
import type { PlanStep } from "../../src/plan/build-plan.js";
import type { RegistryClient } from "../../src/registry/client.js";
import { RegistryError } from "../../src/registry/errors.js";

/** An in-memory registry that records every upload and is slow enough for uploads to overlap. */
function recordingRegistry() {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const puts: string[] = [];
  const client = {
    host: "127.0.0.1:1",
    async hasBlob(_repo: string, digest: string) {
      return blobs.has(digest);
    },
    async putBlob(_repo: string, content: Buffer | (() => Readable), expected: { digest: string }) {
      puts.push(expected.digest);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const chunks: Buffer[] = [];
      for await (const c of Buffer.isBuffer(content) ? [content] : content()) chunks.push(Buffer.from(c as Uint8Array));
      blobs.set(expected.digest, Buffer.concat(chunks));
      return "uploaded";
    },
    async getBlob(_repo: string, digest: string) {
      const b = blobs.get(digest);
      if (b === undefined) throw new RegistryError(`no blob ${digest}`, "not-found");
      return Readable.from([b]);
    },
    async getManifest(_repo: string, ref: string) {
      const bytes = manifests.get(ref);
      if (bytes === undefined) throw new RegistryError(`no manifest ${ref}`, "not-found");
      return { bytes, mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:x" };
    },
    async putManifest(_repo: string, ref: string, bytes: Buffer) {
      manifests.set(ref, bytes);
      return "sha256:x";
    },
  } as unknown as RegistryClient;
  return { client, puts, manifests };
}

function memoryCache(): StepCache & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: async (s) => (data.has(s.id) ? { result: data.get(s.id), from: "local" } : undefined), set: async (s, r) => void data.set(s.id, r) };
}

const step = (id: string): PlanStep => ({ id: id.repeat(64).slice(0, 64), kind: "layer", label: id, params: { epoch: 0 }, inputs: [] });

test("entries written at once upload each shared blob once; another machine reads them back with their blobs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcc-registry-cache-"));
  try {
    const store = createBlobStore(createNodeHost(), join(dir, "one"));
    const shared = await store.putBytes(Buffer.from("a layer both entries name"));
    const own = await Promise.all(["a", "b", "c"].map((x) => store.putBytes(Buffer.from(`only ${x}`))));
    const registry = recordingRegistry();
    const cache = createRegistryCache({
      local: memoryCache(),
      store,
      to: { client: registry.client, repo: "team/cache" },
      shared: new Set(["layer"]),
      blobsOf: (_s, r) => [(r as { shared: string }).shared, (r as { own: string }).own],
    });
    await Promise.all(["a", "b", "c"].map((x, i) => cache.set(step(x), { shared: shared.sha256, own: own[i]?.sha256 })));
    assert.is(cache.stats.pushed, 3);
    const counts = new Map<string, number>();
    for (const d of registry.puts) counts.set(d, (counts.get(d) ?? 0) + 1);
    assert.ok([...counts.values()].every((n) => n === 1), JSON.stringify([...counts]));
    assert.is(counts.get(`sha256:${shared.sha256}`), 1);
    assert.is(cache.stats.problem, undefined);

    // Another machine: an empty store and local cache.
    const other = createBlobStore(createNodeHost(), join(dir, "two"));
    const local = memoryCache();
    const reader = createRegistryCache({ local, store: other, from: { client: registry.client, repo: "team/cache" }, shared: new Set(["layer"]), blobsOf: () => [] });
    const hit = await reader.get(step("b"));
    assert.equal(hit, { result: { shared: shared.sha256, own: own[1]?.sha256 }, from: "remote" });
    assert.ok(await other.has(shared.sha256));
    assert.ok(await other.has(own[1]?.sha256 as string));
    assert.ok(local.data.has(step("b").id), "the result entered the local cache");
    assert.is(await reader.get(step("z")), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
