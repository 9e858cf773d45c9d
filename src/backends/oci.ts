import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pack } from "tar-stream";
import type { ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import type { Spec } from "../types/spec.js";
import { replaceDirectory, replaceFile } from "./atomic.js";
import { writeLayer } from "./layer.js";

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly architecture: string; readonly os: string; readonly variant?: string };
}

export interface OciImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layer: Descriptor & { readonly diffId: string };
}

/** The OCI image config of a spec: entrypoint, cmd, env, user, workdir, volumes, ports, labels. */
export function imageConfig(spec: Spec, arch: string, epoch: number, diffId: string): object {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const env = ["PATH=/usr/local/bin:/usr/bin:/bin", ...Object.entries(spec.env).filter(([k]) => k !== "PATH").map(([k, v]) => `${k}=${v}`)];
  if (spec.env["PATH"] !== undefined) env[0] = `PATH=${spec.env["PATH"]}`;
  const volumes = Object.fromEntries(spec.mounts.filter((m) => m.type !== "tmpfs").map((m) => [m.path, {}]));
  const ports = Object.fromEntries(spec.ports.map((p) => [`${p.port}/${p.protocol}`, {}]));
  return {
    created,
    architecture: arch,
    os: "linux",
    ...(arch === "arm64" ? { variant: "v8" } : {}),
    config: {
      User: `${spec.user.uid}:${spec.user.gid}`,
      Env: env,
      Entrypoint: [spec.executable],
      ...(spec.args.length > 0 ? { Cmd: [...spec.args] } : {}),
      WorkingDir: spec.workdir,
      ...(Object.keys(volumes).length > 0 ? { Volumes: volumes } : {}),
      ...(Object.keys(ports).length > 0 ? { ExposedPorts: ports } : {}),
      ...(Object.keys(spec.labels).length > 0 ? { Labels: { ...spec.labels } } : {}),
    },
    rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
    history: [{ created, created_by: "mcc", comment: `${spec.name}: ${spec.executable} and what it needs` }],
  };
}

/**
 * Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) for one image:
 * one tar+gzip layer of the tree, its config and manifest, and an index entry named by the
 * spec's tag. The layout is built beside the target and renamed into place. JSON is written
 * with fixed key order and no whitespace, so equal inputs give equal digests.
 */
export async function writeOciLayout(tree: ImageTree, store: BlobStore, spec: Spec, arch: string, epoch: number, target: string): Promise<OciImage> {
  return replaceDirectory(target, async (dir) => {
    const blobs = join(dir, "blobs", "sha256");
    await mkdir(blobs, { recursive: true });
    const image = await writeImageBlobs(tree, store, spec, arch, epoch, blobs);
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [{ ...image.manifest, annotations: { "org.opencontainers.image.ref.name": spec.tag } }],
    };
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(join(dir, "index.json"), JSON.stringify(index));
    return image;
  });
}

async function writeImageBlobs(tree: ImageTree, store: BlobStore, spec: Spec, arch: string, epoch: number, blobs: string): Promise<OciImage> {
  const tempLayer = join(blobs, `.layer-${randomBytes(6).toString("hex")}`);
  const layer = await writeLayer(tree, store, epoch, tempLayer);
  await rename(tempLayer, join(blobs, layer.digest));
  const config = await writeJsonBlob(blobs, imageConfig(spec, arch, epoch, layer.diffId));
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const manifest = await writeJsonBlob(blobs, {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: `sha256:${config.sha256}`, size: config.size },
    layers: [{ mediaType: MEDIA.layer, digest: `sha256:${layer.digest}`, size: layer.size }],
    annotations: { "org.opencontainers.image.created": created, "org.opencontainers.image.title": spec.name },
  });
  const platform = { architecture: arch, os: "linux", ...(arch === "arm64" ? { variant: "v8" } : {}) };
  return {
    manifest: { mediaType: MEDIA.manifest, digest: `sha256:${manifest.sha256}`, size: manifest.size, platform },
    config: { mediaType: MEDIA.config, digest: `sha256:${config.sha256}`, size: config.size },
    layer: { mediaType: MEDIA.layer, digest: `sha256:${layer.digest}`, size: layer.size, diffId: layer.diffId },
  };
}

async function writeJsonBlob(blobs: string, value: object): Promise<{ sha256: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(value));
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(blobs, sha256), bytes);
  return { sha256, size: bytes.length };
}

/** `oci-archive`: the OCI layout as one tar (sorted, fixed owner and mtime). */
export async function writeOciArchive(tree: ImageTree, store: BlobStore, spec: Spec, arch: string, epoch: number, target: string): Promise<OciImage> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.layout`);
  try {
    const image = await writeOciLayout(tree, store, spec, arch, epoch, staging);
    await replaceFile(target, (temp) => tarDirectory(staging, temp, epoch));
    return image;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * `docker-archive`: what `docker load` reads: `manifest.json`, the config, the layer as a
 * plain tar named by its diff_id, and `repositories`.
 */
export async function writeDockerArchive(tree: ImageTree, store: BlobStore, spec: Spec, arch: string, epoch: number, target: string): Promise<void> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.docker`);
  await mkdir(staging, { recursive: true });
  try {
    const tarTemp = join(staging, ".layer.tar");
    const gzTemp = join(staging, ".layer.gz");
    const layer = await writeLayer(tree, store, epoch, gzTemp, tarTemp);
    await rm(gzTemp);
    await mkdir(join(staging, layer.diffId));
    await rename(tarTemp, join(staging, layer.diffId, "layer.tar"));
    await writeFile(join(staging, layer.diffId, "VERSION"), "1.0");
    const config = Buffer.from(JSON.stringify(imageConfig(spec, arch, epoch, layer.diffId)));
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
