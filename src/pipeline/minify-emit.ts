import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ImageTree } from "../assemble/image-tree.js";
import { writeLayer } from "../backends/layer.js";
import { replaceFile } from "../host/atomic.js";
import { writeDockerArchive, writeOciArchive, writeOciLayout } from "../backends/oci.js";
import { configBytes, manifestBytes, type ConfigStart, type LayoutImage, type LayoutSbom } from "../formats/oci-documents.js";
import { writeRootfs } from "../backends/rootfs.js";
import { writingOutput } from "../steps/handlers.js";
import type { BlobStore } from "../cache/store.js";
import type { Spec, SpecOutput } from "../types/spec.js";
import type { ImagePackages } from "../minify/image-packages.js";
import { minifiedSbom } from "../minify/sbom.js";

/** The output formats minify writes (the bootable ones need a kernel an image does not pin). */
export const MINIFY_FORMATS = ["oci", "oci-archive", "docker-archive", "rootfs"] as const;

export interface EmitContext {
  readonly tree: ImageTree;
  readonly spec: Spec;
  readonly start: ConfigStart;
  readonly arch: string;
  readonly epoch: number;
  readonly store: BlobStore;
  /** Set file owners in a rootfs (when running as root). */
  readonly chown: boolean;
  /** For the SBOM (written when the spec's `metadata.sbom` is on, the default). */
  readonly packages: ImagePackages;
}

/**
 * Writes the minified tree in each output format through the backends `mcc compile` uses:
 * the same layer writer (sorted tar, one owner, the epoch as every mtime, stable gzip), the
 * same config (with the image's Entrypoint/Cmd split kept) and manifest, the same atomic
 * layout, archive and rootfs writers. The layer is made once for every output. The SBOM is
 * attached to OCI layouts and written beside every output as `<output>.spdx.json`, as compile
 * does. Returns the image digest of each OCI output and the SBOMs written.
 */
export async function emitOutputs(ctx: EmitContext, outputs: readonly SpecOutput[]): Promise<{ path: string; format: string; digest?: string; sbom?: string }[]> {
  let image: (LayoutImage & { diffId: string }) | undefined;
  let sbom: LayoutSbom | undefined;
  const sbomOf = async (): Promise<LayoutSbom | undefined> => {
    if (!ctx.spec.metadata.sbom) return undefined;
    sbom ??= await minifiedSbom(ctx.tree, ctx.spec, ctx.arch, ctx.epoch, await ociImage(), ctx.packages, ctx.store);
    return sbom;
  };
  const ociImage = async (): Promise<LayoutImage & { diffId: string }> => {
    if (image !== undefined) return image;
    const temp = join(ctx.store.root, "tmp", `layer-${randomBytes(8).toString("hex")}`);
    await mkdir(dirname(temp), { recursive: true });
    try {
      const layer = await writeLayer(ctx.tree, ctx.store, ctx.epoch, temp);
      await ctx.store.put(createReadStream(temp), { sha256: layer.digest, size: layer.size }, "layer");
      const layerBlob = { digest: `sha256:${layer.digest}`, size: layer.size };
      const config = await ctx.store.putBytes(configBytes(ctx.spec, ctx.arch, ctx.epoch, layer.diffId, ctx.start));
      const configBlob = { digest: `sha256:${config.sha256}`, size: config.size };
      const manifest = await ctx.store.putBytes(manifestBytes(configBlob, layerBlob, ctx.spec, ctx.epoch));
      image = { arch: ctx.arch, manifest: { digest: `sha256:${manifest.sha256}`, size: manifest.size }, config: configBlob, layer: layerBlob, diffId: layer.diffId };
      return image;
    } finally {
      await rm(temp, { force: true });
    }
  };
  const written: { path: string; format: string; digest?: string; sbom?: string }[] = [];
  for (const output of outputs) {
    const target = resolve(output.path);
    await writingOutput(output.path, async () => {
      await mkdir(dirname(target), { recursive: true });
      const spdx = await sbomOf();
      if (spdx !== undefined) {
        const bytes = await ctx.store.read(spdx.sbom.digest.replace(/^sha256:/, ""));
        await replaceFile(`${target}.spdx.json`, (temp) => writeFile(temp, bytes, { flag: "wx" }));
      }
      const beside = spdx === undefined ? {} : { sbom: `${output.path}.spdx.json` };
      switch (output.format) {
        case "oci":
        case "oci-archive": {
          const img = await ociImage();
          const content = { images: [img], sboms: spdx === undefined ? [] : [spdx] };
          if (output.format === "oci") await writeOciLayout(ctx.store, content, ctx.spec, target);
          else await writeOciArchive(ctx.store, content, ctx.spec, ctx.epoch, target);
          written.push({ path: output.path, format: output.format, digest: img.manifest.digest, ...beside });
          return;
        }
        case "docker-archive":
          await writeDockerArchive(ctx.tree, ctx.store, ctx.spec, ctx.arch, ctx.epoch, target, ctx.start);
          break;
        case "rootfs":
          await writeRootfs(ctx.tree, ctx.store, target, { chown: ctx.chown });
          break;
        default:
          throw new Error(`minify has no writer for ${output.format}`);
      }
      written.push({ path: output.path, format: output.format, ...beside });
    });
  }
  return written;
}
