// Small OCI layouts and docker archives built by the tests themselves: layers as tars (gzip or
// plain), whiteouts and opaque directories as the image spec writes them, a config with
// Entrypoint, Env, Labels and ExposedPorts.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

/** One entry of a fixture layer. */
export type FixtureEntry =
  | { readonly path: string; readonly content: Uint8Array | string; readonly mode?: number; readonly uid?: number }
  | { readonly path: string; readonly dir: true }
  | { readonly path: string; readonly link: string };

/** A layer's tar bytes. */
export async function layerTar(entries: readonly FixtureEntry[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => tar.on("end", () => resolve()));
  const mtime = new Date(1_700_000_000_000);
  for (const e of entries) {
    const name = e.path.replace(/^\//, "");
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if ("dir" in e) tar.entry({ name: `${name}/`, type: "directory", mode: 0o755, mtime }, done);
      else if ("link" in e) tar.entry({ name, type: "symlink", linkname: e.link, mtime }, done);
      else tar.entry({ name, type: "file", mode: e.mode ?? 0o644, uid: e.uid ?? 0, mtime }, Buffer.from(e.content), done);
    });
  }
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function putBlob(dir: string, bytes: Buffer): { digest: string; size: number } {
  const hex = createHash("sha256").update(bytes).digest("hex");
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "blobs", "sha256", hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** An OCI layout at `dir` with one image tagged `tag`: the layers (gzipped) in order, and the config. */
export async function writeFixtureLayout(dir: string, tag: string, layers: readonly (readonly FixtureEntry[])[], config: object, arch = "amd64"): Promise<void> {
  const tars = await Promise.all(layers.map(layerTar));
  const layerBlobs = tars.map((t) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...putBlob(dir, gzipSync(t)) }));
  const diffIds = tars.map((t) => `sha256:${createHash("sha256").update(t).digest("hex")}`);
  const configBlob = putBlob(dir, Buffer.from(JSON.stringify({ architecture: arch, os: "linux", config, rootfs: { type: "layers", diff_ids: diffIds } })));
  const manifest = putBlob(
    dir,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configBlob }, layers: layerBlobs })),
  );
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": tag } }] }),
  );
}
