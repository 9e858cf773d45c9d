import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pack } from "tar-stream";
import type { ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import type { Spec } from "../types/spec.js";
import { replaceDirectory, replaceFile } from "../host/atomic.js";
import { writeLayerTar } from "./layer.js";
import { MEDIA, SPDX_MEDIA_TYPE } from "../formats/oci-media-types.js";
import { EMPTY_DESCRIPTOR, layoutEntries, platformOf, type Blob, type LayoutContent } from "../formats/oci-documents.js";

/**
 * Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) from blobs in the
 * cache. `index.json` names the image by the spec's tag (its manifest, with its platform, or
 * the index of several platforms) and lists each SBOM's and provenance document's artifact
 * manifest, untagged, for tools that look for referrers. Built beside the target and renamed into place.
 */
export async function writeOciLayout(store: BlobStore, content: LayoutContent, spec: Pick<Spec, "name" | "tag">, target: string): Promise<void> {
  await replaceDirectory(target, async (dir) => {
    const blobs = join(dir, "blobs", "sha256");
    await mkdir(blobs, { recursive: true });
    const all: Blob[] = [];
    for (const i of content.images) all.push(i.layer, i.config, i.manifest);
    if (content.index !== undefined) all.push(content.index);
    const attached = content.attached ?? [];
    if (content.sboms.length + attached.length > 0) all.push({ digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size });
    for (const s of content.sboms) all.push(s.sbom, s.artifact);
    for (const a of attached) all.push(a.blob, a.artifact);
    for (const d of all) {
      const hex = d.digest.replace(/^sha256:/, "");
      await copyFile(store.pathOf(hex), join(blobs, hex));
    }
    const ref = { "org.opencontainers.image.ref.name": spec.tag };
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
    const index = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: layoutEntries(named, referrers) };
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(join(dir, "index.json"), JSON.stringify(index));
  });
}

/** `oci-archive`: the OCI layout as one tar (sorted, fixed owner and mtime). */
export async function writeOciArchive(store: BlobStore, content: LayoutContent, spec: Pick<Spec, "name" | "tag">, epoch: number, target: string): Promise<void> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.layout`);
  try {
    await writeOciLayout(store, content, spec, staging);
    await replaceFile(target, (temp) => tarDirectory(staging, temp, epoch));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * `docker-archive`: what `docker load` reads: `manifest.json`, the config (made by `configOf`
 * for the diff_id of the layer written here), the layer as a
 * plain tar named by its diff_id, and `repositories`.
 */
export async function writeDockerArchive(
  tree: ImageTree,
  store: BlobStore,
  spec: Pick<Spec, "name" | "tag">,
  configOf: (diffId: string) => Uint8Array | Promise<Uint8Array>,
  epoch: number,
  target: string,
): Promise<void> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.docker`);
  await mkdir(staging, { recursive: true });
  try {
    const tarTemp = join(staging, ".layer.tar");
    const layer = await writeLayerTar(tree, store, epoch, tarTemp);
    await mkdir(join(staging, layer.diffId));
    await rename(tarTemp, join(staging, layer.diffId, "layer.tar"));
    await writeFile(join(staging, layer.diffId, "VERSION"), "1.0");
    const config = await configOf(layer.diffId);
    const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
    await writeFile(join(staging, configName), config);
    const ref = `${spec.name}:${spec.tag}`;
    await writeFile(join(staging, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: [`${layer.diffId}/layer.tar`] }]));
    await writeFile(join(staging, "repositories"), JSON.stringify({ [spec.name]: { [spec.tag]: layer.diffId } }));
    await replaceFile(target, (temp) => tarDirectory(staging, temp, epoch));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Tars a directory's files in sorted order, owner 0, mode 0644/0755, mtime the epoch. */
async function tarDirectory(dir: string, out: string, epoch: number): Promise<void> {
  const tar = pack();
  const sink = createWriteStream(out, { flags: "wx" });
  const writing = new Promise<void>((resolve, reject) => {
    sink.on("finish", () => resolve());
    sink.on("error", reject);
  });
  (tar as unknown as NodeJS.ReadableStream).pipe(sink);
  const mtime = new Date(epoch * 1000);
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const s = await stat(join(dir, path));
      if (s.isDirectory()) {
        await new Promise<void>((resolve, reject) => tar.entry({ name: `${path}/`, type: "directory", mode: 0o755, uid: 0, gid: 0, uname: "", gname: "", mtime }, (e) => (e ? reject(e) : resolve())));
        await walk(path);
      } else {
        const entry = tar.entry({ name: path, type: "file", mode: 0o644, uid: 0, gid: 0, uname: "", gname: "", mtime, size: s.size });
        const done = new Promise<void>((resolve, reject) => {
          entry.on("finish", () => resolve());
          entry.on("error", reject);
        });
        for await (const chunk of createReadStream(join(dir, path))) {
          if (!entry.write(chunk as Uint8Array)) await new Promise<void>((resolve) => entry.once("drain", () => resolve()));
        }
        entry.end(undefined);
        await done;
      }
    }
  };
  await walk("");
  tar.finalize();
  await writing;
}
