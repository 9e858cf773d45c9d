import { ImageError, readImage } from "../../inspect/read-image.js";
import { diffImages, summarize, type Group } from "../../inspect/summarize.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatSize } from "./common.js";

export interface InspectOptions {
  readonly json?: boolean;
  readonly arch?: string;
}

/** `mcc inspect IMAGE`: files and sizes by package and by directory. */
export async function inspectCommand(image: string, options: InspectOptions, io: CliIo): Promise<ExitCode> {
  return reportingImageErrors(io, async () => {
    const read = await readImage(image, options.arch === undefined ? {} : { arch: options.arch });
    const s = summarize(read.files, read.texts);
    if (options.json) {
      io.stdout(
        JSON.stringify(
          {
            image,
            format: read.format,
            arch: read.arch ?? null,
            files: s.files,
            bytes: s.bytes,
            packages: s.packages,
            directories: s.directories,
            entries: read.files.map((f) => ({ ...f, ...(f.kind === "file" ? { package: s.owners.get(f.path) } : {}) })),
          },
          null,
          2,
        ) + "\n",
      );
      return EXIT.ok;
    }
    io.stdout(`${image}: ${read.format}${read.arch === undefined ? "" : ` (${read.arch})`}, ${s.files} files, ${formatSize(s.bytes)}\n`);
    io.stdout(`\nby package${s.packageList.length === 0 ? " (the image has no dpkg records)" : ""}:\n${table(s.packages, s.bytes)}`);
    io.stdout(`\nby directory:\n${table(s.directories, s.bytes)}`);
    return EXIT.ok;
  });
}

/** `mcc diff A B`: files, sizes and packages added, removed and changed. */
export async function diffCommand(a: string, b: string, options: InspectOptions, io: CliIo): Promise<ExitCode> {
  return reportingImageErrors(io, async () => {
    const opts = options.arch === undefined ? {} : { arch: options.arch };
    const d = diffImages(await readImage(a, opts), await readImage(b, opts));
    if (options.json) {
      io.stdout(JSON.stringify(d, null, 2) + "\n");
      return EXIT.ok;
    }
    const delta = d.bytes.after - d.bytes.before;
    io.stdout(`${formatSize(d.bytes.before)} -> ${formatSize(d.bytes.after)} (${delta >= 0 ? "+" : "-"}${formatSize(Math.abs(delta))})\n`);
    for (const p of d.packages.added) io.stdout(`+ package ${p.name} ${p.version}\n`);
    for (const p of d.packages.removed) io.stdout(`- package ${p.name} ${p.version}\n`);
    for (const p of d.packages.changed) io.stdout(`~ package ${p.name} ${p.from} -> ${p.to}\n`);
    for (const f of d.added) io.stdout(`+ ${f.path}${f.kind === "file" ? ` (${formatSize(f.size)})` : f.kind === "symlink" ? ` -> ${f.target}` : "/"}\n`);
    for (const f of d.removed) io.stdout(`- ${f.path}${f.kind === "file" ? ` (${formatSize(f.size)})` : f.kind === "symlink" ? ` -> ${f.target}` : "/"}\n`);
    for (const c of d.changed) io.stdout(`~ ${c.after.path}${c.after.kind === "file" ? ` (${formatSize(c.before.size)} -> ${formatSize(c.after.size)})` : ""}\n`);
    if (d.added.length + d.removed.length + d.changed.length === 0) io.stdout("the images hold the same files\n");
    return EXIT.ok;
  });
}

function table(groups: readonly Group[], total: number): string {
  return groups
    .map((g) => `  ${formatSize(g.bytes).padStart(10)}  ${((100 * g.bytes) / Math.max(total, 1)).toFixed(1).padStart(5)}%  ${String(g.files).padStart(5)} files  ${g.name}${g.version === undefined ? "" : ` ${g.version}`}\n`)
    .join("");
}

async function reportingImageErrors(io: CliIo, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    io.stderr(`mcc: error: ${error.message}\n`);
    return EXIT.userError;
  }
}
