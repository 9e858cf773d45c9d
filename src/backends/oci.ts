import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pack } from "tar-stream";
import type { ImageTree } from "../assemble/image-tree.js";
import type { BlobStore } from "../cache/store.js";
import type { Spec } from "../types/spec.js";
import { replaceDirectory, replaceFile } from "./atomic.js";
import { writeLayerTar } from "./layer.js";
import { SPDX_MEDIA_TYPE } from "../sbom/spdx.js";

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;



/**
 * How the image starts when it is not `[executable]` plus `args` as Cmd: `mcc minify` keeps an
 * image's own split (`Entrypoint: [/usr/bin/curl, -s]`, `Cmd: [URL]`), so that a runtime's
 * arguments replace the same part they replaced in the original.
 */
export interface ConfigStart {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/** The OCI image config of a spec: entrypoint, cmd, env, user, workdir, volumes, ports, labels. */
export function imageConfig(spec: Spec, arch: string, epoch: number, diffId: string, start?: ConfigStart): object {
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
      Entrypoint: start === undefined ? [spec.executable] : [...start.entrypoint],
      ...(start === undefined ? (spec.args.length > 0 ? { Cmd: [...spec.args] } : {}) : start.cmd.length > 0 ? { Cmd: [...start.cmd] } : {}),
      WorkingDir: spec.workdir,
      ...(Object.keys(volumes).length > 0 ? { Volumes: volumes } : {}),
      ...(Object.keys(ports).length > 0 ? { ExposedPorts: ports } : {}),
      ...(Object.keys(spec.labels).length > 0 ? { Labels: { ...spec.labels } } : {}),
    },
    rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
    history: [{ created, created_by: "mcc", comment: `${spec.name}: ${spec.executable} and what it needs` }],
  };
}

/** The bytes of the image config blob (compact JSON, fixed key order). */
export function configBytes(spec: Spec, arch: string, epoch: number, diffId: string, start?: ConfigStart): Buffer {
  return Buffer.from(JSON.stringify(imageConfig(spec, arch, epoch, diffId, start)));
}

/** The bytes of the image manifest blob. */
export function manifestBytes(config: { digest: string; size: number }, layer: { digest: string; size: number }, spec: Spec, epoch: number): Buffer {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: MEDIA.layer, digest: layer.digest, size: layer.size }],
      annotations: { "org.opencontainers.image.created": created, "org.opencontainers.image.title": spec.name },
    }),
  );
}

/** A blob in the cache, by digest (`sha256:...`) and size. */
export interface Blob {
  readonly digest: string;
  readonly size: number;
}

/** The blobs of one image, already in the cache. */
export interface ImageBlobs {
  readonly manifest: Blob;
  readonly config: Blob;
  readonly layer: Blob;
}

/** One platform's image in a layout. */
export interface LayoutImage extends ImageBlobs {
  readonly arch: string;
}

/** An SBOM attached to an image: the SPDX blob and the artifact manifest whose subject is the image. */
export interface LayoutSbom {
  readonly arch: string;
  readonly subject: Blob;
  readonly sbom: Blob;
  readonly artifact: Blob;
}

/** Another artifact that refers to an image (mcc's provenance document): its type, its blob, its manifest. */
export interface LayoutArtifact {
  readonly artifactType: string;
  readonly blob: Blob;
  readonly artifact: Blob;
}

/** What an OCI layout holds: the images, the index of the platforms (with several), the SBOMs and other referrers. */
export interface LayoutContent {
  readonly images: readonly LayoutImage[];
  readonly index?: Blob;
  readonly sboms: readonly LayoutSbom[];
  readonly attached?: readonly LayoutArtifact[];
}

/** The OCI platform of a Debian architecture. */
export function platformOf(arch: string): { architecture: string; os: string; variant?: string } {
  return { architecture: arch, os: "linux", ...(arch === "arm64" ? { variant: "v8" } : {}) };
}

/** The bytes of an image index naming each platform's manifest. */
export function imageIndexBytes(images: readonly { arch: string; manifest: Blob }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: images.map((i) => ({ mediaType: MEDIA.manifest, digest: i.manifest.digest, size: i.manifest.size, platform: platformOf(i.arch) })),
    }),
  );
}

/** OCI 1.1's empty descriptor content: the config of an artifact that has none. */
export const EMPTY_JSON = Buffer.from("{}");

/** The descriptor of EMPTY_JSON, as an artifact's config names it. */
export const EMPTY_DESCRIPTOR = { mediaType: "application/vnd.oci.empty.v1+json", digest: `sha256:${createHash("sha256").update(EMPTY_JSON).digest("hex")}`, size: EMPTY_JSON.length } as const;

/**
 * The manifest of an artifact (an SBOM) that refers to an image: `artifactType` the blob's
 * media type, the empty config, the blob as its one layer, and `subject` the image manifest,
 * so that registries list it among the image's referrers.
 */
export function artifactManifestBytes(artifactType: string, blob: Blob, title: string, subject: Blob, epoch: number): Buffer {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      artifactType,
      config: { ...EMPTY_DESCRIPTOR, data: EMPTY_JSON.toString("base64") },
      layers: [{ mediaType: artifactType, digest: blob.digest, size: blob.size, annotations: { "org.opencontainers.image.title": title } }],
      subject: { mediaType: MEDIA.manifest, digest: subject.digest, size: subject.size },
      annotations: { "org.opencontainers.image.created": created },
    }),
  );
}

/**
 * Writes an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/`) from blobs in the
 * cache. `index.json` names the image by the spec's tag (its manifest, with its platform, or
 * the index of several platforms) and lists each SBOM's and provenance document's artifact
 * manifest, untagged, for tools that look for referrers. Built beside the target and renamed into place.
 */
export async function writeOciLayout(store: BlobStore, content: LayoutContent, spec: Spec, target: string): Promise<void> {
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
        ? { mediaType: MEDIA.manifest, digest: first.manifest.digest, size: first.manifest.size, platform: platformOf(first.arch), annotations: ref }
        : { mediaType: MEDIA.index, digest: content.index.digest, size: content.index.size, annotations: ref };
    const referrers = [
      ...content.sboms.map((s) => ({ mediaType: MEDIA.manifest, digest: s.artifact.digest, size: s.artifact.size, artifactType: SPDX_MEDIA_TYPE })),
      ...attached.map((a) => ({ mediaType: MEDIA.manifest, digest: a.artifact.digest, size: a.artifact.size, artifactType: a.artifactType })),
    ];
    const index = { schemaVersion: 2, mediaType: MEDIA.index, manifests: layoutEntries(named, referrers) };
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(join(dir, "index.json"), JSON.stringify(index));
  });
}

/** `oci-archive`: the OCI layout as one tar (sorted, fixed owner and mtime). */
export async function writeOciArchive(store: BlobStore, content: LayoutContent, spec: Spec, epoch: number, target: string): Promise<void> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.layout`);
  try {
    await writeOciLayout(store, content, spec, staging);
    await replaceFile(target, (temp) => tarDirectory(staging, temp, epoch));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * `docker-archive`: what `docker load` reads: `manifest.json`, the config, the layer as a
 * plain tar named by its diff_id, and `repositories`.
 */
export async function writeDockerArchive(tree: ImageTree, store: BlobStore, spec: Spec, arch: string, epoch: number, target: string, start?: ConfigStart): Promise<void> {
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.docker`);
  await mkdir(staging, { recursive: true });
  try {
    const tarTemp = join(staging, ".layer.tar");
    const layer = await writeLayerTar(tree, store, epoch, tarTemp);
    await mkdir(join(staging, layer.diffId));
    await rename(tarTemp, join(staging, layer.diffId, "layer.tar"));
    await writeFile(join(staging, layer.diffId, "VERSION"), "1.0");
    const config = configBytes(spec, arch, epoch, layer.diffId, start);
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

/**
 * The entries of a layout's index.json: the tagged image and its referrers. The first referrer
 * goes before the tagged image: oci-image-tool's filter by ref name drops every other untagged
 * entry that follows another (it removes while stepping), so a layout of one image with its
 * SBOM and provenance validates only in this order. The tag, not the position, is what
 * readers look up.
 */
export function layoutEntries<N, R>(named: N, referrers: readonly R[]): (N | R)[] {
  const [lead, ...rest] = referrers;
  return lead === undefined || rest.length === 0 ? [named, ...referrers] : [lead, named, ...rest];
}
