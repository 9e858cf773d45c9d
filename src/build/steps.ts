import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { ImageEntry, ImageTree } from "../assemble/image-tree.js";
import { writeFile } from "node:fs/promises";
import { replaceFile } from "../backends/atomic.js";
import { artifactManifestBytes, configBytes, EMPTY_JSON, imageIndexBytes, manifestBytes, writeDockerArchive, writeOciArchive, writeOciLayout, type Blob } from "../backends/oci.js";
import type { SbomStepParams } from "./sbom-step.js";
import type { ProvenanceResult, ProvenanceStepParams } from "./provenance-step.js";
import { PROVENANCE_MEDIA_TYPE } from "../provenance/provenance.js";
import type { BlobStore } from "../cache/store.js";
import type { StepCache, StepHandler } from "../execute/execute.js";
import type { PackageManifest } from "../extract/unpack.js";
import type { StepKind } from "../plan/build-plan.js";
import type { LockedPackage } from "../resolve/lock.js";
import type { ArchiveBases, FetchEvents } from "../source/fetch-packages.js";
import type { Reason, TraceProblem } from "../trace/trace.js";
import type { OutputFormat, Spec } from "../types/spec.js";

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
  tree: once(() => import("./build-tree.js")),
  layer: once(() => import("../backends/layer.js")),
  sbom: once(async () => ({ ...(await import("./sbom-step.js")), ...(await import("../sbom/spdx.js")) })),
  provenance: once(() => import("./provenance-step.js")),
  boot: once(() => import("./boot-steps.js")),
  rootfs: once(() => import("../backends/rootfs.js")),
};
const unpackDeb = async (store: BlobStore, sha256: string) => (await work.unpack()).unpackDeb(store, sha256);

/** The result of the `tree` step, as kept in the cache: every file's bytes are blobs. */
export interface TreeResult {
  readonly entries: readonly ImageEntry[];
  readonly reasons: readonly (readonly [string, readonly Reason[]])[];
  readonly closureBytes: number;
}

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

export interface StepEnv {
  readonly spec: Spec;
  readonly store: BlobStore;
  readonly bases: ArchiveBases;
  readonly offline: boolean;
  readonly chown: boolean;
  readonly epoch: number;
  readonly fetchEvents?: FetchEvents;
  /** The bytes of the spec's files, by image path (read at the edge, stored in the cache). */
  readonly files: ReadonlyMap<string, string>;
}

export function treeOf(result: TreeResult): ImageTree {
  return { entries: result.entries, reasons: new Map(result.reasons) };
}

/** What each kind of step does, with the build's shared surroundings. */
export function stepHandlers(env: StepEnv): Record<StepKind, StepHandler> {
  const { spec, store } = env;
  return {
    async fetch(step) {
      const pkg = step.params as unknown as LockedPackage;
      await (await work.fetch()).fetchPackages([pkg], env.bases, store, { parallel: 1, offline: env.offline }, env.fetchEvents);
      return { sha256: pkg.sha256 };
    },
    async unpack(step) {
      const sha256 = String(step.params["sha256"]);
      const manifest = await unpackDeb(store, sha256);
      return { name: String(step.params["name"]), deb: manifest.deb };
    },
    async tree(step, inputs) {
      const packages: { name: string; manifest: PackageManifest }[] = [];
      for (const input of inputs as { name: string; deb: string }[]) packages.push({ name: input.name, manifest: await unpackDeb(store, input.deb) });
      const files = new Map<string, Uint8Array>();
      for (const [path, sha] of env.files) files.set(path, await store.read(sha));
      const laid = await (await work.tree()).traceAndLayOut(spec, String(step.params["arch"]), packages, store, files);
      if ("problems" in laid) throw new TraceFailure(laid.problems);
      const { tree, closureBytes } = laid;
      // Generated bytes go into the cache, so the result is small, plain JSON.
      const entries: ImageEntry[] = [];
      for (const e of tree.entries) {
        if (e.kind === "file" && "bytes" in e.source) entries.push({ ...e, source: { blob: (await store.putBytes(e.source.bytes)).sha256 } });
        else entries.push(e);
      }
      return { entries, reasons: [...tree.reasons], closureBytes } satisfies TreeResult;
    },
    async layer(step, [tree]) {
      const temp = join(store.root, "tmp", `layer-${randomBytes(8).toString("hex")}`);
      try {
        const layer = await (await work.layer()).writeLayer(treeOf(tree as TreeResult), store, Number(step.params["epoch"]), temp);
        await store.put(createReadStream(temp), { sha256: layer.digest, size: layer.size }, "layer");
        return { diffId: layer.diffId, digest: `sha256:${layer.digest}`, size: layer.size };
      } finally {
        await rm(temp, { force: true });
      }
    },
    async config(step, [layer]) {
      const bytes = configBytes(spec, String(step.params["arch"]), Number(step.params["epoch"]), (layer as { diffId: string }).diffId);
      const { sha256, size } = await store.putBytes(bytes);
      return { digest: `sha256:${sha256}`, size };
    },
    async manifest(step, [config, layer]) {
      const c = config as Blob;
      const l = layer as Blob & { diffId: string };
      const bytes = manifestBytes(c, l, spec, Number(step.params["epoch"]));
      const { sha256, size } = await store.putBytes(bytes);
      return { kind: "manifest", arch: String(step.params["arch"]), digest: `sha256:${sha256}`, size, config: blobOf(c), layer: blobOf(l), diffId: l.diffId } satisfies ManifestResult;
    },
    async sbom(step, inputs) {
      const [tree, manifest, , ...unpacked] = inputs as [TreeResult, ManifestResult, unknown, ...{ name: string; deb: string }[]];
      const manifests: { name: string; manifest: PackageManifest }[] = [];
      for (const u of unpacked) manifests.push({ name: u.name, manifest: await unpackDeb(store, u.deb) });
      const params = step.params as unknown as SbomStepParams;
      const { sbomOf, SPDX_MEDIA_TYPE } = await work.sbom();
      const bytes = await sbomOf(params, tree, { manifest: manifest.digest, layer: manifest.layer.digest, diffId: `sha256:${manifest.diffId}` }, manifests, store);
      const sbom = await store.putBytes(bytes);
      await store.putBytes(EMPTY_JSON);
      const sbomBlob = { digest: `sha256:${sbom.sha256}`, size: sbom.size };
      const subject = { digest: manifest.digest, size: manifest.size };
      const artifact = await store.putBytes(artifactManifestBytes(SPDX_MEDIA_TYPE, sbomBlob, `${params.name}.spdx.json`, subject, params.epoch));
      return { kind: "sbom", arch: params.arch, subject, sbom: sbomBlob, artifact: { digest: `sha256:${artifact.sha256}`, size: artifact.size } } satisfies SbomResult;
    },
    async provenance(step, [tree, manifest]) {
      return (await work.provenance()).provenanceStep(step.params as unknown as ProvenanceStepParams, tree as TreeResult, manifest as ManifestResult, store);
    },
    async index(_step, manifests) {
      const bytes = imageIndexBytes((manifests as ManifestResult[]).map((m) => ({ arch: m.arch, manifest: blobOf(m) })));
      const { sha256, size } = await store.putBytes(bytes);
      return { kind: "index", digest: `sha256:${sha256}`, size };
    },
    async initramfs(step, [tree]) {
      return (await work.boot()).initramfsStep(spec, store, step.params, tree as TreeResult);
    },
    async iso(step, inputs) {
      return (await work.boot()).isoStep(store, step.params, inputs);
    },
    async emit(step, inputs) {
      const format = step.params["format"] as OutputFormat;
      const path = String(step.params["path"]);
      return writingOutput(path, () => emitOne(format, path, String(step.params["arch"] ?? ""), inputs as StepResult[], step.params["cmdline"]));
    },
  };

  async function emitOne(format: OutputFormat, path: string, arch: string, inputs: readonly StepResult[], cmdline: unknown): Promise<unknown> {
    const sboms = inputs.filter((r): r is SbomResult => r?.kind === "sbom");
    const provenance = inputs.filter((r): r is ProvenanceResult => r?.kind === "provenance");
    const target = resolve(path);
    const beside = () => ({ sboms: sboms.map((s) => besidePath(path, s.arch, sboms.length, "spdx")), provenance: provenance.map((p) => besidePath(path, p.arch, provenance.length, "provenance")) });
    switch (format) {
      case "rootfs":
        await (await work.rootfs()).writeRootfs(treeOf(inputs[0] as TreeResult), store, target, { chown: env.chown });
        break;
      case "docker-archive":
        await writeDockerArchive(treeOf(inputs[0] as TreeResult), store, spec, arch, env.epoch, target);
        break;
      case "iso":
        await (await work.boot()).emitIso(store, inputs[0] as unknown as Blob, target);
        break;
      case "kernel+initrd":
        await (await work.boot()).emitKernelInitrd(store, inputs[0] as unknown as Blob, inputs[1] as unknown as { deb: string }, String(cmdline), target);
        break;
      case "oci":
      case "oci-archive": {
        const images = inputs.filter((r): r is ManifestResult => r?.kind === "manifest").map((m) => ({ arch: m.arch, manifest: blobOf(m), config: m.config, layer: m.layer }));
        const index = inputs.find((r): r is { kind: "index"; digest: string; size: number } => r?.kind === "index");
        const content = {
          images,
          sboms: sboms.map((s) => ({ arch: s.arch, subject: s.subject, sbom: s.sbom, artifact: s.artifact })),
          attached: provenance.map((p) => ({ artifactType: PROVENANCE_MEDIA_TYPE, blob: p.provenance, artifact: p.artifact })),
          ...(index === undefined ? {} : { index: blobOf(index) }),
        };
        if (format === "oci") await writeOciLayout(store, content, spec, target);
        else await writeOciArchive(store, content, spec, env.epoch, target);
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
    for (const f of files) {
      const bytes = await store.read(f.blob.digest.replace(/^sha256:/, ""));
      await replaceFile(f.path, async (temp) => writeFile(temp, bytes, { flag: "wx" }));
    }
  }
}

/** Where a document about an output goes: `<output>.<what>.json`, or `<output>.<arch>.<what>.json` with several architectures. */
export function besidePath(target: string, arch: string, count: number, what: "spdx" | "provenance"): string {
  return count > 1 ? `${target}.${arch}.${what}.json` : `${target}.${what}.json`;
}

function blobOf(b: Blob): Blob {
  return { digest: b.digest, size: b.size };
}

/** The result of a `manifest` step: the image's three blobs. */
export interface ManifestResult extends Blob {
  readonly kind: "manifest";
  readonly arch: string;
  readonly config: Blob;
  readonly layer: Blob;
  /** The layer's uncompressed digest, hex. */
  readonly diffId: string;
}

/** The result of an `sbom` step: the SPDX blob and the artifact manifest that attaches it. */
export interface SbomResult {
  readonly kind: "sbom";
  readonly arch: string;
  readonly subject: Blob;
  readonly sbom: Blob;
  readonly artifact: Blob;
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
