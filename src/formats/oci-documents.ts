// The OCI documents mcc writes, as bytes: image config, manifest, index, an artifact's
// manifest (a layout's index.json is oci-layout.ts). Pure: the same inputs, the same bytes;
// the backends write them, the registry code and the shared cache read the same definitions.
import { createHash } from "node:crypto";
import type { Spec } from "../types/spec.js";
import { MEDIA } from "./oci-media-types.js";

/**
 * How the image starts when it is not `[executable]` plus `args` as Cmd: `mcc minify` keeps an
 * image's own split (`Entrypoint: [/usr/bin/curl, -s]`, `Cmd: [URL]`), so that a runtime's
 * arguments replace the same part they replaced in the original.
 */
export interface ConfigStart {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/** What of the spec the image config says. */
export type ConfigSpec = Pick<Spec, "name" | "executable" | "args" | "env" | "user" | "workdir" | "mounts" | "ports" | "labels">;

/**
 * The PATH an image's program starts with when the spec sets none: written into the image
 * config and the appliance's init, and searched by the tracer as `env` would.
 */
export const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/** The environment an image's program starts with: PATH first (the spec's, or the default), then the spec's `env` by name. */
export function imageEnv(env: Spec["env"]): string[] {
  const out = [`PATH=${DEFAULT_PATH}`, ...Object.entries(env).filter(([k]) => k !== "PATH").map(([k, v]) => `${k}=${v}`)];
  if (env["PATH"] !== undefined) out[0] = `PATH=${env["PATH"]}`;
  return out;
}

/** The OCI image config of a spec: entrypoint, cmd, env, user, workdir, volumes, ports, labels. */
export function imageConfig(spec: ConfigSpec, arch: string, epoch: number, diffIds: readonly string[], start?: ConfigStart): object {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const env = imageEnv(spec.env);
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
    rootfs: { type: "layers", diff_ids: diffIds.map((d) => `sha256:${d}`) },
    history: [{ created, created_by: "mcc", comment: `${spec.name}: ${spec.executable} and what it needs` }],
  };
}

/** The bytes of the image config blob (compact JSON, fixed key order). */
export function configBytes(spec: ConfigSpec, arch: string, epoch: number, diffIds: readonly string[], start?: ConfigStart): Buffer {
  return Buffer.from(JSON.stringify(imageConfig(spec, arch, epoch, diffIds, start)));
}

/** The bytes of the image manifest blob. */
export function manifestBytes(config: { digest: string; size: number }, layers: readonly { digest: string; size: number }[], spec: Pick<Spec, "name">, epoch: number): Buffer {
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
      layers: layers.map((layer) => ({ mediaType: MEDIA.ociLayer, digest: layer.digest, size: layer.size })),
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
  /** Bottom first: the packages' files, then the spec's own when they have a layer of their own. */
  readonly layers: readonly Blob[];
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
      mediaType: MEDIA.ociIndex,
      manifests: images.map((i) => ({ mediaType: MEDIA.ociManifest, digest: i.manifest.digest, size: i.manifest.size, platform: platformOf(i.arch) })),
    }),
  );
}

/** OCI 1.1's empty descriptor content: the config of an artifact that has none. */
export const EMPTY_JSON = Buffer.from("{}");

/** The descriptor of EMPTY_JSON, as an artifact's config names it. */
export const EMPTY_DESCRIPTOR = { mediaType: MEDIA.ociEmpty, digest: `sha256:${createHash("sha256").update(EMPTY_JSON).digest("hex")}`, size: EMPTY_JSON.length } as const;

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
      mediaType: MEDIA.ociManifest,
      artifactType,
      config: { ...EMPTY_DESCRIPTOR, data: EMPTY_JSON.toString("base64") },
      layers: [{ mediaType: artifactType, digest: blob.digest, size: blob.size, annotations: { "org.opencontainers.image.title": title } }],
      subject: { mediaType: MEDIA.ociManifest, digest: subject.digest, size: subject.size },
      annotations: { "org.opencontainers.image.created": created },
    }),
  );
}
