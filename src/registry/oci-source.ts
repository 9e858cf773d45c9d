import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";
import { RegistryError } from "./errors.js";
import type { Descriptor } from "../formats/oci-media-types.js";
import { readLayoutEntries } from "../formats/oci-layout.js";

/** An OCI image layout to push: its index.json and its blobs by digest. */
export interface LayoutSource {
  /** The images index.json names, then the referrers beside them (see `readLayoutEntries`). */
  readonly entries: readonly Descriptor[];
  /** A whole (small) blob: manifests, indexes, configs. */
  readBlob(digest: string): Promise<Buffer>;
  /** A blob as a fresh stream (opened again for each retry). */
  openBlob(digest: string): Readable;
  /** Removes what opening took (an unpacked archive). */
  close(): Promise<void>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Opens what `mcc compile` wrote: an OCI layout directory, or an oci-archive tar (unpacked to
 * a private temporary directory, removed by close). Anything else is a `layout` error.
 */
export async function openLayout(path: string): Promise<LayoutSource> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) throw new RegistryError(`${path}: no such file or directory`, "layout");
  if (info.isDirectory()) return layoutAt(path, async () => undefined);
  if (!info.isFile()) throw new RegistryError(`${path} is neither an OCI layout directory nor an oci-archive`, "layout");
  const dir = await mkdtemp(join(tmpdir(), "mcc-push-"));
  try {
    await unpackArchive(path, dir);
    return await layoutAt(dir, () => rm(dir, { recursive: true, force: true }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function layoutAt(dir: string, close: () => Promise<void>): Promise<LayoutSource> {
  const layout = await readFile(join(dir, "oci-layout"), "utf8").catch(() => undefined);
  const indexText = await readFile(join(dir, "index.json"), "utf8").catch(() => undefined);
  if (layout === undefined || indexText === undefined) throw new RegistryError(`${dir} is not an OCI image layout (no oci-layout or index.json)`, "layout", "give the directory or oci-archive that mcc compile wrote (--format oci or oci-archive)");
  const pathOf = (digest: string) => {
    if (!DIGEST.test(digest)) throw new RegistryError(`the layout names a blob by "${digest}", which is not a sha256 digest`, "layout");
    return join(dir, "blobs", "sha256", digest.slice(7));
  };
  const readBlob = async (digest: string) => {
    try {
      return await readFile(pathOf(digest));
    } catch {
      throw new RegistryError(`the layout lacks the blob ${digest}`, "layout");
    }
  };
  let entries: Descriptor[];
  try {
    const { images, referrers } = await readLayoutEntries(JSON.parse(indexText), readBlob);
    entries = [...images, ...referrers];
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`${join(dir, "index.json")} or the index of referrers it names is not JSON: ${(error as Error).message}`, "layout");
  }
  return {
    entries,
    readBlob,
    openBlob: (digest) => createReadStream(pathOf(digest)),
    close,
  };
}

/** Unpacks the regular files of an oci-archive (no links, nothing outside the directory). */
async function unpackArchive(archive: string, dir: string): Promise<void> {
  const tar = extract();
  tar.on("entry", (header, body, next) => {
    const name = posix.normalize(header.name).replace(/^(\.\/)+/, "");
    if (header.type !== "file" || name.startsWith("../") || name.startsWith("/") || name === "..") {
      body.resume();
      body.on("end", () => next());
      return;
    }
    const target = join(dir, name);
    mkdir(dirname(target), { recursive: true })
      .then(() => pipeline(body, createWriteStream(target)))
      .then(() => next(), (error: unknown) => next(error as Error));
  });
  try {
    await pipeline(createReadStream(archive), tar);
  } catch (error) {
    throw new RegistryError(`${archive} is not a readable tar: ${(error as Error).message}`, "layout");
  }
}
