import { resolve } from "node:path";
import { keptTree, layerPart, treeOf, type TreeResult } from "../assemble/image-tree.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import { replaceFile } from "../host/atomic.js";
import type { Host } from "../host/host.js";
import { writeDockerArchive, writeOciArchive, writeOciLayout } from "../backends/oci.js";
import { artifactManifestBytes, configBytes, EMPTY_JSON, imageIndexBytes, manifestBytes, type Blob } from "../formats/oci-documents.js";
import type { LayerResult, ManifestResult, ProvenanceResult, SbomResult } from "./results.js";
import { PROVENANCE_MEDIA_TYPE, SPDX_MEDIA_TYPE } from "../formats/oci-media-types.js";
import type { BlobStore } from "../cache/store.js";
import type { StepCache, StepHandlers } from "../execute/execute.js";
import { isDropNote, notedPath } from "../extract/notes.js";
import type { PackageManifest } from "../extract/unpack.js";
import type { EmitParams } from "../plan/step-params.js";
import { forEachLimited } from "../concurrency.js";
import type { ArchiveBases, FetchEvents } from "../source/fetch-packages.js";
import type { TraceProblem } from "../trace/trace.js";

/**
 * The modules that do the steps' work, loaded when a step first runs: a warm build, whose
 * results all come from the cache, never loads the tracer, the decompressors, the SBOM or
 * boot writers (a third of its time was spent loading them).
 */
const once = <T>(load: () => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};
const work = {
  fetch: once(() => import("../source/fetch-packages.js")),
  unpack: once(() => import("../extract/unpack.js")),
  tree: once(() => import("./tree.js")),
  layer: once(() => import("../backends/layer.js")),
  sbom: once(() => import("../sbom/image-sbom.js")),
  provenance: once(() => import("./provenance.js")),
  boot: once(() => import("./boot.js")),
  rootfs: once(() => import("../backends/rootfs.js")),
};
const unpackDeb = async (store: BlobStore, sha256: string) => (await work.unpack()).unpackDeb(store, sha256);

/** An output could not be written (its place is not writable, the disk is full, ...). */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = "OutputError";
  }
}

/** Runs an output writer, turning a file system failure into an OutputError naming the output. */
export async function writingOutput<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (typeof e.code === "string" && e.code.startsWith("E")) throw new OutputError(path, `${e.code}: ${e.message.replace(/^[A-Z]+: /, "")}`);
    throw error;
  }
}

/** Tracing found problems: no tree, and diagnostics for the user. */
export class TraceFailure extends Error {
  constructor(readonly problems: readonly TraceProblem[]) {
    super(`tracing found ${problems.length} problem(s)`);
    this.name = "TraceFailure";
  }
}

/**
 * What the handlers share besides their parameters: where blobs go, where the archive is, and
 * how outputs are written on this machine. None of it changes a cached result: an emit (not
 * cached) is the only one to read `chown` and `cwd`.
 */
export interface StepEnv {
  /** Where the steps read and write, and reach the archive through. */
  readonly host: Host;
  readonly store: BlobStore;
  readonly bases: ArchiveBases;
  readonly offline: boolean;
  /** Set file owners in directory outputs (only root can). */
  readonly chown: boolean;
  /** The directory an output's relative path starts from. */
  readonly cwd: string;
  readonly fetchEvents?: FetchEvents;
}

/** What each kind of step does: its own parameters and its inputs' results in, its result out. */
export function stepHandlers(env: StepEnv): StepHandlers {
  const { host, store } = env;
  return {
    async "image-tree"(params) {
      return JSON.parse(new TextDecoder().decode(await store.read(params.sha256))) as TreeResult;
    },
    async fetch(params) {
      await (await work.fetch()).fetchPackages(host, [params], env.bases, store, { parallel: 1, offline: env.offline }, env.fetchEvents);
      return { sha256: params.sha256 };
    },
    async unpack(params) {
      const manifest = await unpackDeb(store, params.sha256);
      return { name: params.name, deb: manifest.deb };
    },
    async tree(params, inputs) {
      const packages: { name: string; manifest: PackageManifest }[] = [];
      for (const input of inputs as { name: string; deb: string }[]) packages.push({ name: input.name, manifest: await unpackDeb(store, input.deb) });
      const laid = await (await work.tree()).traceAndLayOut(params, packages, store);
      if ("problems" in laid) throw new TraceFailure(laid.problems);
      const kept = await keptTree(laid.tree, laid.closureBytes, store);
      const extraction = extractionNotes(packages, new Set(kept.entries.map((e) => e.path)));
      const { unmatched, inert, startup, missingImports } = laid.trace;
      return {
        ...kept,
        ...(extraction.length === 0 ? {} : { extraction }),
        ...(unmatched.length === 0 ? {} : { unmatched }),
        ...(inert.length === 0 ? {} : { inert }),
        ...(startup.length === 0 ? {} : { startup }),
        ...(missingImports.length === 0 ? {} : { missingImports }),
      };
    },
    async layer(params, [tree]) {
      const whole = treeOf(tree as TreeResult);
      const layer = await (await work.layer()).writeLayer(params.part === undefined ? whole : layerPart(whole, params.part), store, params.epoch);
      return { kind: "layer", diffId: layer.diffId, digest: `sha256:${layer.digest}`, size: layer.size, ...(params.part === undefined ? {} : { part: params.part }) } satisfies LayerResult;
    },
    async config(params, layers) {
      const bytes = configBytes(params, params.arch, params.epoch, (layers as LayerResult[]).map((l) => l.diffId), params.start);
      const { sha256, size } = await store.putBytes(bytes);
      return { digest: `sha256:${sha256}`, size };
    },
    async manifest(params, [config, ...layers]) {
      const c = config as Blob;
      const ls = layers as LayerResult[];
      const bytes = manifestBytes(c, ls, params, params.epoch);
      const { sha256, size } = await store.putBytes(bytes);
      return { kind: "manifest", arch: params.arch, digest: `sha256:${sha256}`, size, config: blobOf(c), layers: ls.map((l) => ({ kind: "layer", ...blobOf(l), diffId: l.diffId, ...(l.part === undefined ? {} : { part: l.part }) })) } satisfies ManifestResult;
    },
    async sbom(params, inputs, inputIds) {
      const [tree, manifest, ...unpacked] = inputs as [TreeResult, ManifestResult, ...{ name: string; deb: string }[]];
      // Read only when the SBOM's files part is not in the cache already: a few at once; a
      // manifest missing from a damaged cache unpacks its package again, not all at the same time.
      const manifests = async (keep: (m: PackageManifest) => PackageManifest) => {
        const read: { name: string; manifest: PackageManifest }[] = [];
        await forEachLimited([...unpacked.keys()], 8, async (i) => {
          const u = unpacked[i] as { name: string; deb: string };
          read[i] = { name: u.name, manifest: keep(await unpackDeb(store, u.deb)) };
        });
        if (params.manifests !== undefined) {
          for (const m of JSON.parse(new TextDecoder().decode(await store.read(params.manifests))) as typeof read) read.push({ name: m.name, manifest: keep(m.manifest) });
        }
        return read;
      };
      const { sbomOf } = await work.sbom();
      const image = { manifest: manifest.digest, layers: manifest.layers.map((l) => ({ digest: l.digest, diffId: `sha256:${l.diffId}` })) };
      // The files part depends on the tree and the packages alone: their steps' ids name it.
      const [treeId, , ...unpackIds] = inputIds;
      const bytes = await sbomOf(params, tree, image, { manifests, ids: [treeId as string, ...unpackIds] }, store);
      const sbom = await store.putBytes(bytes);
      await store.putBytes(EMPTY_JSON);
      const sbomBlob = { digest: `sha256:${sbom.sha256}`, size: sbom.size };
      const subject = { digest: manifest.digest, size: manifest.size };
      const artifact = await store.putBytes(artifactManifestBytes(SPDX_MEDIA_TYPE, sbomBlob, `${params.name}.spdx.json`, subject, params.epoch));
      return { kind: "sbom", arch: params.arch, subject, sbom: sbomBlob, artifact: { digest: `sha256:${artifact.sha256}`, size: artifact.size } } satisfies SbomResult;
    },
    async provenance(params, [tree, manifest]) {
      return (await work.provenance()).provenanceStep(params, tree as TreeResult, manifest as ManifestResult, store);
    },
    async index(_params, manifests) {
      const bytes = imageIndexBytes((manifests as ManifestResult[]).map((m) => ({ arch: m.arch, manifest: blobOf(m) })));
      const { sha256, size } = await store.putBytes(bytes);
      return { kind: "index", digest: `sha256:${sha256}`, size };
    },
    async initramfs(params, [tree, kernel, ...dhcp]) {
      return (await work.boot()).initramfsStep(params, store, tree as TreeResult, kernel as { name: string; deb: string }, dhcp as { deb: string }[]);
    },
    async iso(params, inputs) {
      return (await work.boot()).isoStep(store, params, inputs);
    },
    async disk(params, inputs) {
      return (await work.boot()).diskStep(store, params, inputs);
    },
    async emit(params, inputs) {
      return writingOutput(params.path, () => emitOne(params, inputs as StepResult[]));
    },
  };

  async function emitOne(params: EmitParams, inputs: readonly StepResult[]): Promise<unknown> {
    const { format, path, epoch } = params;
    const sboms = inputs.filter((r): r is SbomResult => r?.kind === "sbom");
    const provenance = inputs.filter((r): r is ProvenanceResult => r?.kind === "provenance");
    const target = resolve(env.cwd, path);
    const beside = () => ({ sboms: sboms.map((s) => besidePath(path, s.arch, sboms.length, "spdx")), provenance: provenance.map((p) => besidePath(path, p.arch, provenance.length, "provenance")) });
    switch (format) {
      case "rootfs":
        await (await work.rootfs()).writeRootfs(host, treeOf(inputs[0] as TreeResult), store, target, { chown: env.chown });
        break;
      case "docker-archive": {
        // The config step's bytes: made for the same tree and parts, so for the diff_ids written here.
        const whole = treeOf(inputs[0] as TreeResult);
        const parts = inputs.filter((r): r is LayerResult => r?.kind === "layer").map((l) => (l.part === undefined ? whole : layerPart(whole, l.part)));
        await writeDockerArchive(host, parts, store, params, () => store.read((inputs[1] as Blob).digest.replace(/^sha256:/, "")), epoch, target);
        break;
      }
      case "iso":
      case "raw":
        await (await work.boot()).emitIso(host, store, inputs[0] as unknown as Blob, target);
        break;
      case "qcow2":
        await (await work.boot()).emitQcow2(host, store, inputs[0] as unknown as Blob, target);
        break;
      case "kernel+initrd":
        await (await work.boot()).emitKernelInitrd(host, store, inputs[0] as unknown as Blob, inputs[1] as unknown as { deb: string }, params.cmdline ?? "", target);
        break;
      case "oci":
      case "oci-archive": {
        const images = inputs.filter((r): r is ManifestResult => r?.kind === "manifest").map((m) => ({ arch: m.arch, manifest: blobOf(m), config: m.config, layers: m.layers.map(blobOf) }));
        const index = inputs.find((r): r is { kind: "index"; digest: string; size: number } => r?.kind === "index");
        const content = {
          images,
          sboms: sboms.map((s) => ({ arch: s.arch, subject: s.subject, sbom: s.sbom, artifact: s.artifact })),
          attached: provenance.map((p) => ({ artifactType: PROVENANCE_MEDIA_TYPE, blob: p.provenance, artifact: p.artifact })),
          ...(index === undefined ? {} : { index: blobOf(index) }),
        };
        if (format === "oci") await writeOciLayout(host, store, content, params, target);
        else await writeOciArchive(host, store, content, params, epoch, target);
        // Only once the output is in place: an output that could not be written leaves the
        // documents about the one before it as they were.
        await writeBeside(target, sboms, provenance);
        return { path, digest: (index ?? images[0]?.manifest)?.digest, ...beside() };
      }
      default:
        throw new Error(`no writer for ${format}`);
    }
    await writeBeside(target, sboms, provenance);
    return { path, ...beside() };
  }

  /**
   * `<output>.spdx.json` and `<output>.provenance.json`, or `<output>.<arch>.spdx.json` and
   * `<output>.<arch>.provenance.json` for each of several architectures.
   */
  async function writeBeside(target: string, sboms: readonly SbomResult[], provenance: readonly ProvenanceResult[]): Promise<void> {
    const files = [
      ...sboms.map((s) => ({ blob: s.sbom, path: besidePath(target, s.arch, sboms.length, "spdx") })),
      ...provenance.map((p) => ({ blob: p.provenance, path: besidePath(target, p.arch, provenance.length, "provenance") })),
    ];
    await Promise.all(files.map((f) => replaceFile(host, f.path, (temp) => host.copyFile(store.pathOf(f.blob.digest.replace(/^sha256:/, "")), temp))));
  }
}

/** Where a document about an output goes: `<output>.<what>.json`, or `<output>.<arch>.<what>.json` with several architectures. */
export function besidePath(target: string, arch: string, count: number, what: "spdx" | "provenance"): string {
  return count > 1 ? `${target}.${arch}.${what}.json` : `${target}.${what}.json`;
}

function blobOf(b: Blob): Blob {
  return { digest: b.digest, size: b.size };
}

type StepResult = { readonly kind?: string } | undefined;

/** Step results kept in the cache's metadata under the step id. */
export function stepCache(store: BlobStore): StepCache {
  return {
    async get(step) {
      const result = await store.readMeta(`step ${step.id}`);
      return result === undefined ? undefined : { result, from: "local" };
    },
    set: (step, result) => store.writeMeta(`step ${step.id}`, result),
  };
}

/**
 * What unpacking changed in the packages that matters to this image: every entry dropped (a
 * device, a path out of the root) and the special bits cleared on files the image keeps.
 */
function extractionNotes(packages: readonly { name: string; manifest: PackageManifest }[], kept: ReadonlySet<string>): { pkg: string; note: string }[] {
  const out: { pkg: string; note: string }[] = [];
  for (const { name, manifest } of packages) {
    for (const note of manifest.notes) {
      if (isDropNote(note) || kept.has(mergedUsrPath(notedPath(note)))) out.push({ pkg: name, note });
    }
  }
  return out;
}
