import { join } from "node:path";
import { replaceDirectory } from "../host/atomic.js";
import { collectBytes, type Host } from "../host/host.js";
import type { RegistryClient } from "./client.js";
import { RegistryError } from "./errors.js";
import { isIndexType, type Descriptor, type ManifestDocument } from "../formats/oci-media-types.js";
import { layoutIndex, REF_NAME } from "../formats/oci-layout.js";
import { formatReference } from "./reference.js";
import { forEachLimited } from "../concurrency.js";
import type { ImageReference } from "./reference.js";
import { readReferrersTag } from "./referrers-tag.js";

/** What a pull fetched. */
export interface PullReport {
  readonly digest: string;
  readonly mediaType: string;
  readonly manifests: number;
  readonly blobs: number;
  readonly bytes: number;
  readonly referrers: number;
}

/** Options of a pull. */
export interface PullOptions {
  /** Blobs fetched at once (default 4). */
  readonly parallel?: number;
  /** Also fetch the artifacts (SBOMs) that refer to the images (default true). */
  readonly referrers?: boolean;
  readonly log?: (line: string) => void;
}

const short = (digest: string) => digest.slice(0, 19);

/**
 * Pulls `ref` into an OCI image layout at `dir`: the manifest or index as the registry
 * stores it (a Docker schema 2 manifest stays one, so its digest is kept), every manifest
 * an index names, every config and layer (each verified by sha256 and size while streaming,
 * written under a temporary name and renamed), and the images' referrers, listed as mcc lists
 * its SBOMs (see `layoutIndex`). index.json names the top by the reference (`HOST/REPO:TAG`,
 * as podman names it); the layout is built beside `dir` and renamed into place.
 */
export async function pullImage(host: Host, client: RegistryClient, ref: ImageReference, dir: string, options: PullOptions = {}): Promise<PullReport> {
  const log = options.log ?? (() => undefined);
  const repo = ref.repository;
  const top = await client.getManifest(repo, ref.digest ?? ref.tag ?? "latest");
  log(`${isIndexType(top.mediaType) ? "index" : "manifest"} ${short(top.digest)} (${top.mediaType})`);
  const manifests = new Map<string, Buffer>([[top.digest, top.bytes]]);
  const blobs = new Map<string, Descriptor>();
  const images: string[] = [];
  let platform: Descriptor["platform"];

  const follow = async (digest: string, bytes: Buffer, mediaType: string, depth: number): Promise<void> => {
    const doc = JSON.parse(bytes.toString("utf8")) as ManifestDocument;
    if (isIndexType(mediaType)) {
      if (depth > 4) throw new RegistryError(`the indexes of ${ref.repository} nest deeper than 4`, "protocol");
      for (const child of doc.manifests ?? []) {
        if (manifests.has(child.digest)) continue;
        const got = await client.getManifest(repo, child.digest);
        if (got.bytes.length !== child.size) throw new RegistryError(`the manifest ${child.digest} has ${got.bytes.length} bytes, not the ${child.size} the index says`, "integrity");
        manifests.set(child.digest, got.bytes);
        log(`manifest ${short(child.digest)}${child.platform === undefined ? "" : ` (${child.platform.os}/${child.platform.architecture})`}`);
        await follow(child.digest, got.bytes, got.mediaType, depth + 1);
      }
      return;
    }
    if (doc.config === undefined) throw new RegistryError(`the manifest ${digest} has no config`, "protocol");
    images.push(digest);
    for (const b of [doc.config, ...(doc.layers ?? [])]) blobs.set(b.digest, b);
  };
  await follow(top.digest, top.bytes, top.mediaType, 0);

  // The referrers API where the registry has it, else the sha256-<hex> tag schema.
  const referrers: Descriptor[] = [];
  if (options.referrers !== false) {
    for (const subject of images) {
      const api = await client.getReferrers(repo, subject);
      const found = api.supported ? api.manifests : await readReferrersTag(client, repo, subject);
      for (const d of found) {
        if (manifests.has(d.digest)) continue;
        const got = await client.getManifest(repo, d.digest, [d.mediaType]);
        manifests.set(d.digest, got.bytes);
        const doc = JSON.parse(got.bytes.toString("utf8")) as ManifestDocument;
        for (const b of [...(doc.config === undefined ? [] : [doc.config]), ...(doc.layers ?? [])]) blobs.set(b.digest, b);
        referrers.push({ mediaType: got.mediaType, digest: d.digest, size: got.bytes.length, ...(d.artifactType === undefined ? {} : { artifactType: d.artifactType }) });
        log(`referrer ${short(d.digest)} (${d.artifactType ?? "artifact"}) of ${short(subject)}`);
      }
    }
  }

  // A single image is named with its platform, as mcc names it, read from its config.
  if (!isIndexType(top.mediaType)) {
    const doc = JSON.parse(top.bytes.toString("utf8")) as ManifestDocument;
    if (doc.config !== undefined && doc.config.size < 4 << 20) platform = await configPlatform(client, repo, doc.config);
  }

  let bytes = 0;
  await replaceDirectory(host, dir, async (temp) => {
    const dest = join(temp, "blobs", "sha256");
    await host.mkdir(dest);
    for (const [digest, content] of manifests) await host.createFile(join(dest, digest.slice(7)), content);
    await forEachLimited([...blobs.values()], options.parallel ?? 4, async (b) => {
      const target = join(dest, b.digest.slice(7));
      if (manifests.has(b.digest) || (await host.stat(target)) !== undefined) return;
      const partial = `${target}.partial`;
      await host.createFile(partial, (await client.getBlob(repo, b.digest, b.size)) as AsyncIterable<Uint8Array>);
      await host.rename(partial, target);
      bytes += b.size;
      log(`blob ${short(b.digest)} ${b.size} bytes`);
    });
    const named = {
      mediaType: top.mediaType,
      digest: top.digest,
      size: top.bytes.length,
      ...(platform === undefined ? {} : { platform }),
      annotations: { [REF_NAME]: formatReference({ host: ref.host, repository: ref.repository, ...(ref.tag === undefined ? {} : { tag: ref.tag }) }) },
    };
    const { index, referrers: listed } = layoutIndex(named, referrers);
    if (listed !== undefined) await host.createFile(join(dest, listed.digest.slice(7)), listed.bytes);
    await host.createFile(join(temp, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await host.createFile(join(temp, "index.json"), index);
  });
  return { digest: top.digest, mediaType: top.mediaType, manifests: manifests.size - referrers.length, blobs: blobs.size, bytes, referrers: referrers.length };
}

async function configPlatform(client: RegistryClient, repo: string, config: Descriptor): Promise<Descriptor["platform"]> {
  const bytes = await collectBytes(await client.getBlob(repo, config.digest, config.size));
  try {
    const c = JSON.parse(bytes.toString("utf8")) as { architecture?: unknown; os?: unknown; variant?: unknown };
    if (typeof c.architecture !== "string" || typeof c.os !== "string") return undefined;
    return { architecture: c.architecture, os: c.os, ...(typeof c.variant === "string" ? { variant: c.variant } : {}) };
  } catch {
    return undefined;
  }
}
