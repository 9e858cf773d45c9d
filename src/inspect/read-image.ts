import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { PassThrough, type Readable } from "node:stream";
import { parseProvenance, PROVENANCE_MEDIA_TYPE, type ProvenanceDocument } from "../provenance/provenance.js";

/** One entry of an image's file system, as inspect and diff see it. */
export interface ImageFile {
  readonly path: string;
  readonly kind: "file" | "directory" | "symlink";
  readonly size: number;
  /** Regular files: sha256 of the content. */
  readonly sha256?: string;
  readonly target?: string;
  readonly mode: number;
}

/** An image read back: its format, the platform when it says, and its files (later layers win). */
export interface ReadImage {
  readonly format: "oci" | "oci-archive" | "docker-archive" | "rootfs";
  readonly arch?: string;
  readonly files: readonly ImageFile[];
  /** The text of small files inspect reads for meaning (dpkg records), by path. */
  readonly texts: ReadonlyMap<string, string>;
  /**
   * mcc's provenance document of the image, when it has one: attached to an OCI layout as a
   * referrer, or for a rootfs or docker-archive the `<image>.provenance.json` written beside it.
   */
  readonly provenance?: ProvenanceDocument;
}

/** Files whose text inspect keeps: the dpkg records that say which package a file is from. */
const KEEP_TEXT = /^\/var\/lib\/dpkg\/status\.d\/[^/]+$/;

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
export async function readImage(path: string, options: { arch?: string } = {}): Promise<ReadImage> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) throw new ImageError(`${path}: no such file or directory`);
  if (info.isDirectory()) {
    const layout = await readFile(join(path, "index.json"), "utf8").catch(() => undefined);
    if (layout !== undefined) return { format: "oci", ...(await fromLayout(async (name) => readFile(join(path, name)), (name) => createReadStream(join(path, name)), options.arch)) };
    return { format: "rootfs", ...(await fromDirectory(path)), ...(await besideProvenance(path, undefined)) };
  }
  // A tar: read its small members; layers are streamed from it again when applied.
  const members = await tarMembers(createReadStream(path), (name) => name === "index.json" || name === "manifest.json" || name.endsWith(".json") || name === "oci-layout");
  // Manifests and configs are small: read whole, from the first pass or another one.
  const member = async (name: string): Promise<Buffer> => {
    const known = members.get(name.replace(/^\.\//, ""));
    if (known !== undefined) return known;
    const chunks: Buffer[] = [];
    for await (const chunk of stream(name)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const stream = (name: string): Readable => {
    const wanted = name.replace(/^\.\//, "");
    return tarMemberStream(createReadStream(path), wanted);
  };
  if (members.has("index.json")) return { format: "oci-archive", ...(await fromLayout(member, stream, options.arch)) };
  if (members.has("manifest.json")) {
    const manifest = JSON.parse((await member("manifest.json")).toString("utf8")) as { Config: string; Layers: string[] }[];
    const first = manifest[0];
    if (first === undefined) throw new ImageError(`${path}: manifest.json lists no image`);
    const config = JSON.parse((await member(first.Config)).toString("utf8")) as { architecture?: string; rootfs?: { diff_ids?: string[] } };
    const files = new Map<string, ImageFile>();
    const texts = new Map<string, string>();
    for (const layer of first.Layers) await applyLayer(stream(layer), false, files, texts);
    const diffIds = config.rootfs?.diff_ids ?? [];
    return {
      format: "docker-archive",
      ...(config.architecture === undefined ? {} : { arch: config.architecture }),
      files: sorted(files),
      texts,
      ...(await besideProvenance(path, (doc) => diffIds.length === 1 && diffIds[0] === doc.image.diffId)),
    };
  }
  throw new ImageError(`${path}: not an OCI layout, an oci-archive, a docker-archive or a rootfs directory`);
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly platform?: { readonly architecture: string };
  readonly artifactType?: string;
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

async function fromLayout(read: (name: string) => Promise<Buffer>, stream: (name: string) => Readable, arch: string | undefined): Promise<Omit<ReadImage, "format">> {
  const blob = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, "")}`;
  const json = async <T>(name: string) => JSON.parse((await read(name)).toString("utf8")) as T;
  // The tagged image: the index's entries that are images, not attached artifacts.
  const all = (await json<{ manifests: Descriptor[] }>("index.json")).manifests;
  let manifests = all.filter((m) => m.artifactType === undefined);
  for (let depth = 0; depth < 4; depth++) {
    const nested = manifests.find((m) => m.mediaType.endsWith("image.index.v1+json"));
    if (nested === undefined) break;
    manifests = (await json<{ manifests: Descriptor[] }>(blob(nested.digest))).manifests;
  }
  const chosen = arch === undefined ? manifests[0] : manifests.find((m) => m.platform?.architecture === arch);
  if (chosen === undefined) throw new ImageError(arch === undefined ? "the layout names no image" : `the layout has no image for ${arch} (it has ${manifests.map((m) => m.platform?.architecture ?? "?").join(", ")})`);
  const manifest = await json<{ config: { digest: string }; layers: { digest: string; mediaType: string }[] }>(blob(chosen.digest));
  const config = await json<{ architecture?: string }>(blob(manifest.config.digest));
  const files = new Map<string, ImageFile>();
  const texts = new Map<string, string>();
  for (const layer of manifest.layers) await applyLayer(stream(blob(layer.digest)), layer.mediaType.endsWith("gzip"), files, texts);
  return { ...(config.architecture === undefined ? {} : { arch: config.architecture }), files: sorted(files), texts, ...(await attachedProvenance(all, chosen.digest, json, read)) };
}

/** Applies one layer tar to the files so far: whiteouts remove, opaque directories empty. */
async function applyLayer(input: Readable, gzip: boolean, files: Map<string, ImageFile>, texts: Map<string, string>): Promise<void> {
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on("finish", () => resolve());
    tar.on("error", reject);
    input.on("error", reject);
  });
  tar.on("entry", (header, body, next) => {
    const path = posix.normalize(`/${header.name}`).replace(/\/$/, "") || "/";
    const base = posix.basename(path);
    const dir = posix.dirname(path);
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (data: unknown) => {
      const c = data as Buffer;
      hash.update(c);
      size += c.length;
      if (KEEP_TEXT.test(path) && size < 1 << 20) chunks.push(c);
    });
    body.on("end", () => {
      if (base === ".wh..wh..opq") {
        for (const p of [...files.keys()]) if (p.startsWith(`${dir}/`)) files.delete(p);
      } else if (base.startsWith(".wh.")) {
        const gone = posix.join(dir, base.slice(4));
        for (const p of [...files.keys()]) if (p === gone || p.startsWith(`${gone}/`)) files.delete(p);
      } else if (header.type === "directory") {
        files.set(path, { path, kind: "directory", size: 0, mode: header.mode ?? 0o755 });
      } else if (header.type === "symlink") {
        files.set(path, { path, kind: "symlink", size: 0, target: header.linkname ?? "", mode: 0o777 });
      } else if (header.type === "link") {
        const target = files.get(posix.normalize(`/${header.linkname ?? ""}`));
        if (target !== undefined) files.set(path, { ...target, path });
      } else if (header.type === "file") {
        files.set(path, { path, kind: "file", size, sha256: hash.digest("hex"), mode: header.mode ?? 0o644 });
        if (KEEP_TEXT.test(path)) texts.set(path, Buffer.concat(chunks).toString("utf8"));
      }
      next();
    });
    body.resume();
  });
  (gzip ? input.pipe(createGunzip()) : input).pipe(tar);
  await done;
}

async function fromDirectory(root: string): Promise<Omit<ReadImage, "format">> {
  const files = new Map<string, ImageFile>();
  const texts = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = `${rel}/${name}`;
      const s = await lstat(join(root, path));
      if (s.isDirectory()) {
        files.set(path, { path, kind: "directory", size: 0, mode: s.mode & 0o7777 });
        await walk(path);
      } else if (s.isSymbolicLink()) {
        files.set(path, { path, kind: "symlink", size: 0, target: await readlink(join(root, path)), mode: 0o777 });
      } else if (s.isFile()) {
        const bytes = await readFile(join(root, path));
        files.set(path, { path, kind: "file", size: s.size, sha256: createHash("sha256").update(bytes).digest("hex"), mode: s.mode & 0o7777 });
        if (KEEP_TEXT.test(path)) texts.set(path, bytes.toString("utf8"));
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
