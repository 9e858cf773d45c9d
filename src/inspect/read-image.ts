import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { extract } from "tar-stream";
import { PassThrough, Readable } from "node:stream";
import type { BlobStore } from "../cache/store.js";
import { collectBytes } from "../host/host.js";
import { isDpkgRecord } from "../debian/dpkg-database.js";
import { decompressStream } from "../extract/decompress.js";
import { parseProvenance, type ProvenanceDocument } from "../provenance/provenance.js";
import { PROVENANCE_MEDIA_TYPE } from "../formats/oci-media-types.js";
import { readLayoutEntries, REF_NAME, refNameMatches } from "../formats/oci-layout.js";

/** One entry of an image's file system, as inspect and diff see it. */
export interface ImageFile {
  readonly path: string;
  readonly kind: "file" | "directory" | "symlink";
  readonly size: number;
  /** Regular files: sha256 of the content. */
  readonly sha256?: string;
  readonly target?: string;
  readonly mode: number;
  /** The owner the layer (or directory) gives it. */
  readonly uid?: number;
  readonly gid?: number;
}

/** The part of an OCI (or Docker) image config that says how the image runs. */
export interface ImageRunConfig {
  readonly Entrypoint?: readonly string[] | null;
  readonly Cmd?: readonly string[] | null;
  readonly Env?: readonly string[] | null;
  readonly User?: string;
  readonly WorkingDir?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly ExposedPorts?: Readonly<Record<string, object>> | null;
  readonly Volumes?: Readonly<Record<string, object>> | null;
}

/** An image config blob as read: the platform and how it runs. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly config?: ImageRunConfig | null;
  readonly rootfs?: { readonly diff_ids?: readonly string[] };
}

export interface ReadImageOptions {
  /** The platform to read from a multi-platform image (default: the first). */
  readonly arch?: string;
  /** The image of an OCI layout whose `org.opencontainers.image.ref.name` is this (default: the first). */
  readonly tag?: string;
  /** When given, every regular file's bytes are streamed into this store (its `sha256` is the blob's). */
  readonly store?: BlobStore;
}

/** An image read back: its format, the platform when it says, and its files (later layers win). */
export interface ReadImage {
  readonly format: "oci" | "oci-archive" | "docker-archive" | "rootfs";
  readonly arch?: string;
  readonly files: readonly ImageFile[];
  /** The text of the dpkg records (see `parseDpkgDatabase`), by path, as the layers leave them. */
  readonly texts: ReadonlyMap<string, string>;
  /**
   * mcc's provenance document of the image, when it has one: attached to an OCI layout as a
   * referrer, or for a rootfs or docker-archive the `<image>.provenance.json` written beside it.
   */
  readonly provenance?: ProvenanceDocument;
  /** The image config (absent for a rootfs directory). */
  readonly config?: ImageConfig;
}

/**
 * Files whose text is kept (`isDpkgRecord`): the dpkg records that say which package a file is
 * from, a full system's status and info/<pkg>.list or a distroless image's status.d. A full
 * image has one .list per package (mmdebstrap's curl image: 97 records, 391 KB in all), each
 * kept whole: a cut list would silently give its files to no package. A record over TEXT_LIMIT
 * is not kept at all.
 */
const TEXT_LIMIT = 64 << 20;

/** A problem with the image given (not a bug): said to the user with exit code 1. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/**
 * Reads an image: an OCI layout directory, an oci-archive or docker-archive tar, or a rootfs
 * directory. Layers are applied in order (whiteouts and opaque directories honoured); with
 * several platforms, `arch` picks one (default: the first).
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<ReadImage> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) throw new ImageError(`${path}: no such file or directory`);
  if (info.isDirectory()) {
    const layout = await readFile(join(path, "index.json"), "utf8").catch(() => undefined);
    if (layout !== undefined) return { format: "oci", ...(await fromLayout(async (name) => readFile(join(path, name)), (name) => createReadStream(join(path, name)), options)) };
    return { format: "rootfs", ...(await fromDirectory(path, options.store)), ...(await besideProvenance(path, undefined)) };
  }
  // A tar: read its small members; layers are streamed from it again when applied.
  const members = await tarMembers(createReadStream(path), (name) => name === "index.json" || name === "manifest.json" || name.endsWith(".json") || name === "oci-layout");
  // Manifests and configs are small: read whole, from the first pass or another one.
  const member = async (name: string): Promise<Buffer> => {
    const known = members.get(name.replace(/^\.\//, ""));
    if (known !== undefined) return known;
    return collectBytes(stream(name));
  };
  const stream = (name: string): Readable => {
    const wanted = name.replace(/^\.\//, "");
    return tarMemberStream(createReadStream(path), wanted);
  };
  if (members.has("index.json")) return { format: "oci-archive", ...(await fromLayout(member, stream, options)) };
  if (members.has("manifest.json")) {
    const manifest = JSON.parse((await member("manifest.json")).toString("utf8")) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
    // `docker save` names images `name:tag`; a bare tag matches the end of one.
    const tag = options.tag;
    // skopeo writes a fully qualified `HOST/library/name:tag` for `name:tag`.
    const first = tag === undefined ? manifest[0] : manifest.find((m) => (m.RepoTags ?? []).some((t) => t === tag || t.endsWith(`/${tag}`) || (!tag.includes(":") && t.endsWith(`:${tag}`))));
    if (first === undefined) throw new ImageError(tag === undefined ? `${path}: manifest.json lists no image` : `${path}: no image is tagged ${tag} (it has ${manifest.flatMap((m) => m.RepoTags ?? []).join(", ") || "no tags"})`);
    const config = JSON.parse((await member(first.Config)).toString("utf8")) as ImageConfig;
    const files = new Map<string, ImageFile>();
    const texts = new Map<string, string>();
    for (const layer of first.Layers) await applyLayer(stream(layer), files, texts, options.store, layer);
    const diffIds = config.rootfs?.diff_ids ?? [];
    return {
      format: "docker-archive",
      ...(config.architecture === undefined ? {} : { arch: config.architecture }),
      files: sorted(files),
      texts,
      config,
      ...(await besideProvenance(path, (doc) => diffIds.length === doc.image.diffIds.length && diffIds.every((d, i) => d === doc.image.diffIds[i]))),
    };
  }
  throw new ImageError(`${path}: not an OCI layout, an oci-archive, a docker-archive or a rootfs directory`);
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly platform?: { readonly architecture: string };
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * `<image>.provenance.json` beside a rootfs or docker-archive, when there is one and `belongs`
 * accepts it (a docker-archive's layer must be the one the document names).
 */
async function besideProvenance(path: string, belongs: ((doc: ProvenanceDocument) => boolean) | undefined): Promise<{ provenance?: ProvenanceDocument }> {
  const text = await readFile(`${path}.provenance.json`, "utf8").catch(() => undefined);
  const doc = text === undefined ? undefined : parseProvenance(text);
  return doc === undefined || (belongs !== undefined && !belongs(doc)) ? {} : { provenance: doc };
}

/** The provenance document attached to the manifest `subject` in a layout's index, if any. */
async function attachedProvenance(all: readonly Descriptor[], subject: string, json: <T>(name: string) => Promise<T>, read: (name: string) => Promise<Buffer>): Promise<{ provenance?: ProvenanceDocument }> {
  for (const d of all.filter((m) => m.artifactType === PROVENANCE_MEDIA_TYPE)) {
    const manifest = await json<{ subject?: { digest: string }; layers: { digest: string; mediaType: string }[] }>(`blobs/sha256/${d.digest.replace(/^sha256:/, "")}`).catch(() => undefined);
    const layer = manifest?.layers.find((l) => l.mediaType === PROVENANCE_MEDIA_TYPE);
    if (manifest?.subject?.digest !== subject || layer === undefined) continue;
    const doc = parseProvenance((await read(`blobs/sha256/${layer.digest.replace(/^sha256:/, "")}`)).toString("utf8"));
    if (doc !== undefined) return { provenance: doc };
  }
  return {};
}

async function fromLayout(read: (name: string) => Promise<Buffer>, stream: (name: string) => Readable, options: ReadImageOptions): Promise<Omit<ReadImage, "format">> {
  const { arch, tag } = options;
  const blob = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, "")}`;
  const json = async <T>(name: string) => JSON.parse((await read(name)).toString("utf8")) as T;
  // The tagged image: the index's entries that are images, not attached artifacts.
  const { images, referrers } = await readLayoutEntries(await json<unknown>("index.json"), (digest) => read(blob(digest)));
  let manifests = images as readonly Descriptor[];
  if (tag !== undefined) {
    const tagged = manifests.filter((m) => refNameMatches(m.annotations?.[REF_NAME], tag));
    if (tagged.length === 0) throw new ImageError(`the layout has no image tagged ${tag} (it has ${manifests.map((m) => m.annotations?.[REF_NAME] ?? "an untagged image").join(", ") || "none"})`);
    manifests = tagged;
  }
  for (let depth = 0; depth < 4; depth++) {
    const nested = manifests.find((m) => m.mediaType.endsWith("image.index.v1+json"));
    if (nested === undefined) break;
    manifests = (await json<{ manifests: Descriptor[] }>(blob(nested.digest))).manifests;
  }
  const chosen = arch === undefined ? manifests[0] : manifests.find((m) => m.platform?.architecture === arch);
  if (chosen === undefined) throw new ImageError(arch === undefined ? "the layout names no image" : `the layout has no image for ${arch} (it has ${manifests.map((m) => m.platform?.architecture ?? "?").join(", ")})`);
  const manifest = await json<{ config: { digest: string }; layers: { digest: string; mediaType: string }[] }>(blob(chosen.digest));
  const config = await json<ImageConfig>(blob(manifest.config.digest));
  const files = new Map<string, ImageFile>();
  const texts = new Map<string, string>();
  for (const layer of manifest.layers) await applyLayer(stream(blob(layer.digest)), files, texts, options.store, layer.digest);
  return { ...(config.architecture === undefined ? {} : { arch: config.architecture }), files: sorted(files), texts, config, ...(await attachedProvenance(referrers as readonly Descriptor[], chosen.digest, json, read)) };
}

/**
 * A layer's bytes, decompressed by what they start with (gzip, zstd, or a plain tar): media
 * types lie in the wild, and `docker save` writes plain or gzipped layers under one name.
 */
async function* layerTar(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const head = first.value;
  const all = (async function* () {
    yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  })();
  if (head[0] === 0x1f && head[1] === 0x8b) yield* decompressStream("gzip", all);
  else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) yield* decompressStream("zstd", all);
  else yield* all;
}

/** Applies one layer tar to the files so far: whiteouts remove, opaque directories empty. */
async function applyLayer(input: Readable, files: Map<string, ImageFile>, texts: Map<string, string>, store: BlobStore | undefined, what: string): Promise<void> {
  const tar = extract();
  // A damaged layer (truncated, not a tar, bad compression) is the image's problem, not mcc's.
  const damaged = (error: Error) => (error instanceof ImageError ? error : new ImageError(`the layer ${what} is damaged: ${error.message}`));
  const done = new Promise<void>((resolve, reject) => {
    tar.on("finish", () => resolve());
    tar.on("error", (e: Error) => reject(damaged(e)));
    input.on("error", (e: Error) => reject(damaged(e)));
  });
  tar.on("entry", (header, body, next) => {
    const path = posix.normalize(`/${header.name}`).replace(/\/$/, "") || "/";
    const base = posix.basename(path);
    const dir = posix.dirname(path);
    const owner = { uid: header.uid ?? 0, gid: header.gid ?? 0 };
    const chunks: Buffer[] = [];
    let size = 0;
    const hash = createHash("sha256");
    const keep = isDpkgRecord(path);
    // With a store the bytes go there (hashed on the way); without, only their hash is kept.
    const content: Promise<{ sha256: string; size: number }> =
      store !== undefined && header.type === "file"
        ? store.put(
            (async function* () {
              for await (const c of body as AsyncIterable<Buffer>) {
                size += c.length;
                if (keep && size <= TEXT_LIMIT) chunks.push(c);
                yield c;
              }
            })(),
          )
        : new Promise((resolve, reject) => {
            body.on("data", (data: unknown) => {
              const c = data as Buffer;
              hash.update(c);
              size += c.length;
              if (keep && size <= TEXT_LIMIT) chunks.push(c);
            });
            body.on("end", () => resolve({ sha256: hash.digest("hex"), size }));
            body.on("error", reject);
            body.resume();
          });
    content.then(
      (stored) => {
        // A record a later layer removes (apt-get purge in a Dockerfile) goes with its file.
        if (base === ".wh..wh..opq") {
          for (const m of [files, texts]) for (const p of [...m.keys()]) if (p.startsWith(`${dir}/`)) m.delete(p);
        } else if (base.startsWith(".wh.")) {
          const gone = posix.join(dir, base.slice(4));
          for (const m of [files, texts]) for (const p of [...m.keys()]) if (p === gone || p.startsWith(`${gone}/`)) m.delete(p);
        } else if (header.type === "directory") {
          files.set(path, { path, kind: "directory", size: 0, mode: header.mode ?? 0o755, ...owner });
          texts.delete(path);
        } else if (header.type === "symlink") {
          files.set(path, { path, kind: "symlink", size: 0, target: header.linkname ?? "", mode: 0o777, ...owner });
          texts.delete(path);
        } else if (header.type === "link") {
          const linked = posix.normalize(`/${header.linkname ?? ""}`);
          const target = files.get(linked);
          if (target !== undefined) files.set(path, { ...target, path });
          const text = keep ? texts.get(linked) : undefined;
          if (text !== undefined) texts.set(path, text);
          else texts.delete(path);
        } else if (header.type === "file") {
          files.set(path, { path, kind: "file", size: stored.size, sha256: stored.sha256, mode: header.mode ?? 0o644, ...owner });
          if (keep && stored.size <= TEXT_LIMIT) texts.set(path, Buffer.concat(chunks).toString("utf8"));
          else texts.delete(path);
        }
        next();
      },
      (error: Error) => next(error),
    );
  });
  const tarBytes = Readable.from(layerTar(input));
  tarBytes.on("error", (error) => tar.destroy(error));
  tarBytes.pipe(tar);
  await done;
}

async function fromDirectory(root: string, store: BlobStore | undefined): Promise<Omit<ReadImage, "format">> {
  const files = new Map<string, ImageFile>();
  const texts = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = `${rel}/${name}`;
      const s = await lstat(join(root, path));
      const owner = { uid: s.uid, gid: s.gid };
      if (s.isDirectory()) {
        files.set(path, { path, kind: "directory", size: 0, mode: s.mode & 0o7777, ...owner });
        await walk(path);
      } else if (s.isSymbolicLink()) {
        files.set(path, { path, kind: "symlink", size: 0, target: await readlink(join(root, path)), mode: 0o777, ...owner });
      } else if (s.isFile()) {
        const sha256 = store !== undefined ? (await store.put(createReadStream(join(root, path)))).sha256 : createHash("sha256").update(await readFile(join(root, path))).digest("hex");
        files.set(path, { path, kind: "file", size: s.size, sha256, mode: s.mode & 0o7777, ...owner });
        if (isDpkgRecord(path) && s.size <= TEXT_LIMIT) texts.set(path, (await readFile(join(root, path))).toString("utf8"));
      }
    }
  };
  await walk("");
  return { files: sorted(files), texts };
}

/** The small members of a tar whose names `want` accepts, by name. */
async function tarMembers(input: Readable, want: (name: string) => boolean): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on("finish", () => resolve());
    tar.on("error", (e) => reject(new ImageError(`not a tar archive (${e.message})`)));
  });
  tar.on("entry", (header, body, next) => {
    const name = header.name.replace(/^\.\//, "");
    const chunks: Buffer[] = [];
    if (want(name) && (header.size ?? 0) < 16 << 20) body.on("data", (data: unknown) => chunks.push(data as Buffer));
    body.on("end", () => {
      if (chunks.length > 0 || (want(name) && header.size === 0)) out.set(name, Buffer.concat(chunks));
      next();
    });
    body.resume();
  });
  input.pipe(tar);
  await done;
  return out;
}

/** One member of a tar as a stream (read through the archive again). */
function tarMemberStream(input: Readable, name: string): Readable {
  const tar = extract();
  const out = new PassThrough();
  let found = false;
  tar.on("entry", (header, body, next) => {
    if (!found && header.name.replace(/^\.\//, "") === name) {
      found = true;
      body.pipe(out);
      body.on("end", next);
    } else {
      body.on("end", next);
      body.resume();
    }
  });
  tar.on("finish", () => {
    if (!found) out.destroy(new ImageError(`the archive has no member ${name}`));
  });
  tar.on("error", (e) => out.destroy(e));
  input.pipe(tar);
  return out;
}

function sorted(files: Map<string, ImageFile>): ImageFile[] {
  return [...files.values()].filter((f) => f.path !== "/").sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}
