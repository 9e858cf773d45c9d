import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import type { Host } from "../host/host.js";
import type { Spec } from "../types/spec.js";
import { besideTemp, replaceDirectory, replaceFile } from "../host/atomic.js";
import { MEDIA, SPDX_MEDIA_TYPE } from "../formats/oci-media-types.js";
import type { TarEntry } from "../formats/tar-writer.js";
import { EMPTY_DESCRIPTOR, platformOf, type Blob, type LayoutContent } from "../formats/oci-documents.js";
import { layoutIndex, REF_NAME } from "../formats/oci-layout.js";

/**
 * Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) from blobs in the
 * cache. `index.json` names the one image as `NAME:TAG` (its manifest, with its platform, or
 * the index of several platforms); each SBOM's and provenance document's artifact manifest is
 * listed in the index of referrers its annotation names (see `layoutIndex`). Built beside the
 * target and renamed into place.
 */
export async function writeOciLayout(host: Host, store: BlobStore, content: LayoutContent, spec: Pick<Spec, "name" | "tag">, target: string): Promise<void> {
  await replaceDirectory(host, target, async (dir) => {
    const blobs = join(dir, "blobs", "sha256");
    await host.mkdir(blobs);
    const all: Blob[] = [];
    for (const i of content.images) all.push(...i.layers, i.config, i.manifest);
    if (content.index !== undefined) all.push(content.index);
    const attached = content.attached ?? [];
    if (content.sboms.length + attached.length > 0) all.push({ digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size });
    for (const s of content.sboms) all.push(s.sbom, s.artifact);
    for (const a of attached) all.push(a.blob, a.artifact);
    // Each blob once (images may share one), all copies at once.
    const hexes = new Set(all.map((d) => d.digest.replace(/^sha256:/, "")));
    await Promise.all([...hexes].map((hex) => host.copyFile(store.pathOf(hex), join(blobs, hex))));
    const ref = { [REF_NAME]: `${spec.name}:${spec.tag}` };
    const first = content.images[0];
    if (first === undefined) throw new Error("an OCI layout needs an image");
    const named =
      content.index === undefined
        ? { mediaType: MEDIA.ociManifest, digest: first.manifest.digest, size: first.manifest.size, platform: platformOf(first.arch), annotations: ref }
        : { mediaType: MEDIA.ociIndex, digest: content.index.digest, size: content.index.size, annotations: ref };
    const referrers = [
      ...content.sboms.map((s) => ({ mediaType: MEDIA.ociManifest, digest: s.artifact.digest, size: s.artifact.size, artifactType: SPDX_MEDIA_TYPE })),
      ...attached.map((a) => ({ mediaType: MEDIA.ociManifest, digest: a.artifact.digest, size: a.artifact.size, artifactType: a.artifactType })),
    ];
    const { index, referrers: listed } = layoutIndex(named, referrers);
    if (listed !== undefined) await host.createFile(join(blobs, listed.digest.slice(7)), listed.bytes);
    await host.createFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await host.createFile(join(dir, "index.json"), index);
  });
}

/** `oci-archive`: the OCI layout as one tar (sorted, fixed owner and mtime). */
export async function writeOciArchive(host: Host, store: BlobStore, content: LayoutContent, spec: Pick<Spec, "name" | "tag">, epoch: number, target: string): Promise<void> {
  const staging = besideTemp(host, target, "layout");
  try {
    await writeOciLayout(host, store, content, spec, staging);
    await replaceFile(host, target, (temp) => tarDirectory(host, staging, temp, epoch));
  } finally {
    await host.remove(staging);
  }
}

/**
 * `docker-archive`: what `docker load` reads: `manifest.json`, the config (made by `configOf`
 * for the diff_ids of the layers written here), each layer (a part of the tree, bottom first)
 * as a plain tar named by its diff_id, and `repositories`.
 */
export async function writeDockerArchive(
  host: Host,
  layers: readonly ImageTree[],
  store: BlobStore,
  spec: Pick<Spec, "name" | "tag">,
  configOf: (diffIds: readonly string[]) => Uint8Array | Promise<Uint8Array>,
  epoch: number,
  target: string,
): Promise<void> {
  const staging = besideTemp(host, target, "docker");
  await host.mkdir(staging);
  try {
    // The tar writers load here: writing an OCI layout (most builds) needs neither.
    const { layerTar } = await import("./layer.js");
    const diffIds: string[] = [];
    for (const tree of layers) {
      const tarTemp = join(staging, ".layer.tar");
      const tar = layerTar(tree, store, epoch);
      await host.createFile(tarTemp, tar.chunks);
      const { diffId } = tar.result();
      await host.mkdir(join(staging, diffId));
      await host.rename(tarTemp, join(staging, diffId, "layer.tar"));
      await host.createFile(join(staging, diffId, "VERSION"), "1.0");
      diffIds.push(diffId);
    }
    const config = await configOf(diffIds);
    const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
    await host.createFile(join(staging, configName), config);
    const ref = `${spec.name}:${spec.tag}`;
    await host.createFile(join(staging, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: diffIds.map((d) => `${d}/layer.tar`) }]));
    // The legacy file names the top layer.
    await host.createFile(join(staging, "repositories"), JSON.stringify({ [spec.name]: { [spec.tag]: diffIds[diffIds.length - 1] } }));
    await replaceFile(host, target, (temp) => tarDirectory(host, staging, temp, epoch));
  } finally {
    await host.remove(staging);
  }
}

/** Tars a directory's files in sorted order, owner 0, mode 0644/0755, mtime the epoch. */
async function tarDirectory(host: Host, dir: string, out: string, epoch: number): Promise<void> {
  const { tarArchive } = await import("../formats/tar-writer.js");
  async function* walk(rel: string): AsyncIterable<TarEntry> {
    for (const name of (await host.readdir(join(dir, rel))) ?? []) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const s = await host.stat(join(dir, path));
      const common = { uid: 0, gid: 0, mtime: epoch };
      if (s?.kind === "directory") {
        yield { header: { ...common, name: `${path}/`, type: "directory", mode: 0o755, size: 0 } };
        yield* walk(path);
      } else {
        yield { header: { ...common, name: path, type: "file", mode: 0o644, size: s?.size ?? 0 }, content: host.readStream(join(dir, path)) };
      }
    }
  }
  await host.createFile(out, tarArchive(walk("")));
}
