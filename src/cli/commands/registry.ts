import { RegistryError, type RegistryErrorKind } from "../../registry/errors.js";
import { openLayout } from "../../registry/oci-source.js";
import { pullImage } from "../../registry/pull.js";
import { pushLayout } from "../../registry/push.js";
import { formatReference, parseReference, ReferenceError } from "../../registry/reference.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatSize } from "./common.js";
import { connect } from "./registry-access.js";
import { checkOutputPlace, placesToKeep } from "../../backends/output-place.js";

/** The options of push and pull: how to reach the registry. */
export interface RegistryOptions {
  readonly insecure?: boolean;
  readonly caFile?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** The options of push. */
export interface PushCommandOptions extends RegistryOptions {
  readonly chunkSize?: string;
  readonly mountFrom?: string;
}

/** Which errors are the user's to fix (1), a refused command line (2), or the world failing (3). */
const EXIT_OF: Record<RegistryErrorKind, ExitCode> = {
  auth: EXIT.userError,
  "not-found": EXIT.userError,
  credentials: EXIT.userError,
  layout: EXIT.userError,
  insecure: EXIT.usage,
  usage: EXIT.usage,
  rejected: EXIT.world,
  tls: EXIT.world,
  network: EXIT.world,
  protocol: EXIT.world,
  integrity: EXIT.world,
};

/** `mcc push OUTPUT REF`: an OCI layout or oci-archive that mcc wrote, to a registry. */
export async function pushCommand(output: string, reference: string, options: PushCommandOptions, io: CliIo): Promise<ExitCode> {
  return reportingRegistryErrors(io, async () => {
    const ref = parseReference(reference);
    const chunkSize = options.chunkSize === undefined ? undefined : parseSize(options.chunkSize);
    const client = await connect(ref, options, io, chunkSize);
    const source = await openLayout(output);
    try {
      const say = (line: string) => void (options.quiet ? undefined : io.stderr(`${line}\n`));
      const report = await pushLayout(client, source, ref, { ...(options.mountFrom === undefined ? {} : { mountFrom: options.mountFrom }), ...(options.verbose ? { log: say } : {}) });
      const b = report.blobs;
      say(
        `blobs: ${b.uploaded + b.chunked} pushed${b.chunked > 0 ? ` (${b.chunked} in chunks)` : ""}, ${b.skipped} skipped (already there), ${b.mounted} mounted; ${formatSize(b.bytesUploaded)} sent\n` +
          `manifests: ${report.manifests} put; referrers: ${report.referrers} put${report.referrerTags.length > 0 ? ` (listed under ${report.referrerTags.join(", ")}: the registry has no referrers API)` : ""}` +
          (report.ignored > 0 ? `; ${report.ignored} index.json entries not pushed` : ""),
      );
      io.stdout(`${formatReference({ ...ref, digest: report.digest })}\n`);
      return EXIT.ok;
    } finally {
      await source.close();
      client.close();
    }
  });
}

/** `mcc pull REF DIR`: an image from a registry into an OCI layout. */
export async function pullCommand(reference: string, dir: string, options: RegistryOptions & { force?: boolean }, io: CliIo): Promise<ExitCode> {
  // The layout replaces only what may be replaced, as compile's outputs (output-place.ts).
  const keep = await placesToKeep(io.host, io.cwd);
  const problem = await checkOutputPlace(io.host, resolve(io.cwd, dir), "oci", keep, options.force === true);
  if (problem !== undefined) {
    const message = problem.code === "MCC520" ? `${dir} holds ${problem.what}; mcc pull writes an OCI layout only where nothing is, into an empty directory or over a layout (--force to replace it)` : `${dir} is ${problem.relation}; mcc pull never replaces it`;
    io.stderr(`mcc: error: ${message}\n`);
    return EXIT.userError;
  }
  return reportingRegistryErrors(io, async () => {
    const ref = parseReference(reference);
    const client = await connect(ref, options, io);
    try {
      const say = (line: string) => void (options.quiet ? undefined : io.stderr(`${line}\n`));
      const report = await pullImage(io.host, client, ref, dir, options.verbose ? { log: say } : {});
      say(`${report.manifests} manifests, ${report.blobs} blobs (${formatSize(report.bytes)}), ${report.referrers} referrers; written to ${dir}`);
      io.stdout(`${formatReference({ ...ref, digest: report.digest })}\n`);
      return EXIT.ok;
    } finally {
      client.close();
    }
  });
}

/**
 * Pulls an image into a new temporary OCI layout (for commands that read local images, such
 * as minify); `remove` deletes it. The layout's image is tagged as the reference is.
 */
export async function pullToTemporary(reference: string, options: RegistryOptions, io: CliIo): Promise<{ dir: string; tag?: string; remove(): Promise<void> }> {
  const ref = parseReference(reference);
  const client = await connect(ref, options, io);
  const dir = await mkdtemp(join(tmpdir(), "mcc-pull-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const report = await pullImage(io.host, client, ref, join(dir, "layout"));
    if (!options.quiet) io.stderr(`pulled ${formatReference({ ...ref, digest: report.digest })}: ${report.blobs} blobs, ${formatSize(report.bytes)}\n`);
    return { dir: join(dir, "layout"), ...(ref.tag === undefined ? {} : { tag: ref.tag }), remove };
  } catch (error) {
    await remove();
    throw error;
  } finally {
    client.close();
  }
}

/** `16M`, `512K`, `1048576`: a size in bytes, at least 1 KiB (as a chunk). */
function parseSize(text: string): number {
  const m = /^(\d+)([KMG]i?B?)?$/i.exec(text.trim());
  const unit = m?.[2]?.[0]?.toUpperCase();
  const n = m === null ? NaN : Number(m[1]) * (unit === "K" ? 1024 : unit === "M" ? 1 << 20 : unit === "G" ? 1 << 30 : 1);
  if (!Number.isSafeInteger(n) || n < 1024) throw new RegistryError(`--chunk-size ${text}: expected a size of at least 1K, such as 512K or 16M`, "usage");
  return n;
}

export async function reportingRegistryErrors(io: CliIo, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ReferenceError) {
      io.stderr(`mcc: error: ${error.message}\n`);
      return EXIT.userError;
    }
    if (!(error instanceof RegistryError)) throw error;
    io.stderr(`mcc: error: ${error.message}\n`);
    if (error.hint !== undefined) io.stderr(`mcc: hint: ${error.hint}\n`);
    return EXIT_OF[error.kind];
  }
}
