import { basename } from "node:path";
import { reportHtml } from "../../inspect/report/report-html.js";
import { viewProvenance, type ProvenanceView } from "../../inspect/provenance-view.js";
import { ImageError, readImage, type ImageFile } from "../../inspect/read-image.js";
import { diffImages } from "../../inspect/diff-images.js";
import { summarize, UNOWNED, type Group } from "../../inspect/summarize.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatSize } from "./common.js";
import { diffText } from "./diff-text.js";

export interface InspectOptions {
  readonly json?: boolean;
  readonly arch?: string;
  /** List every file under its package, with why it is there. */
  readonly files?: boolean;
  /** Write the HTML report here instead of printing. */
  readonly html?: string;
}

/** `mcc inspect IMAGE`: files and sizes by package and by directory, and why each is there when the image says. */
export async function inspectCommand(image: string, options: InspectOptions, io: CliIo): Promise<ExitCode> {
  return reportingImageErrors(io, async () => {
    const read = await readImage(image, options.arch === undefined ? {} : { arch: options.arch });
    const view = read.provenance === undefined ? undefined : viewProvenance(read.provenance);
    const s = summarize(read.files, read.texts, provenanceOwners(view));
    if (options.html !== undefined) {
      const html = reportHtml({ title: read.provenance?.image.name ?? (basename(image.replace(/\/+$/, "")) || image), format: read.format, ...(read.arch === undefined ? {} : { arch: read.arch }), files: read.files, summary: s, ...(read.provenance === undefined ? {} : { provenance: read.provenance }) });
      await io.host.writeFileAtomic(options.html, html);
      io.stdout(`${options.html}: report of ${s.files} files, ${formatSize(s.bytes)}, ${s.packages.length} packages${read.provenance === undefined ? " (the image carries no provenance)" : ""}\n`);
      return EXIT.ok;
    }
    if (options.json) {
      io.stdout(
        JSON.stringify(
          {
            image,
            format: read.format,
            arch: read.arch ?? null,
            files: s.files,
            bytes: s.bytes,
            packages: s.packages.map((g) => ({ ...g, ...(view?.packageWhy.has(g.name) ? { why: view.packageWhy.get(g.name) } : {}) })),
            directories: s.directories,
            provenance: read.provenance === undefined ? null : { image: read.provenance.image, packages: read.provenance.packages, plan: read.provenance.plan },
            entries: read.files.map((f) => entryJson(f, s.owners.get(f.path), view)),
          },
          null,
          2,
        ) + "\n",
      );
      return EXIT.ok;
    }
    io.stdout(`${image}: ${read.format}${read.arch === undefined ? "" : ` (${read.arch})`}, ${s.files} files, ${formatSize(s.bytes)}\n`);
    io.stdout(read.provenance === undefined ? "no provenance: not built by mcc, or its .provenance.json is not beside it\n" : `provenance: ${read.provenance.image.tool}, executable ${read.provenance.image.executable}, ${read.provenance.plan.steps.length} plan steps\n`);
    io.stdout(`\nby package (${RECORDS[s.records]}):\n${table(s.packages, s.bytes, view)}`);
    io.stdout(`\nby directory:\n${table(s.directories, s.bytes)}`);
    if (options.files) io.stdout(`\nfiles:\n${fileList(read.files, s.packages, s.owners, view)}`);
    return EXIT.ok;
  });
}

/** Where the packages come from, as the first line of the table says it. */
const RECORDS = { status: "from /var/lib/dpkg/status and info/*.list", "status.d": "from /var/lib/dpkg/status.d", none: "the image has no dpkg records" } as const;

function entryJson(f: ImageFile, owner: string | undefined, view: ProvenanceView | undefined): object {
  const p = view?.byPath.get(f.path);
  return { ...f, ...(owner === undefined ? {} : { package: owner }), ...(p === undefined ? {} : { reasons: p.reasons, chain: p.chain }) };
}

/** Every file and link under its package (largest package first), with its first reason. */
function fileList(files: readonly ImageFile[], packages: readonly Group[], owners: ReadonlyMap<string, string>, view: ProvenanceView | undefined): string {
  const byPackage = new Map<string, ImageFile[]>();
  for (const f of files) {
    if (f.kind === "directory") continue;
    const pkg = owners.get(f.path) ?? UNOWNED;
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), f]);
  }
  const order = [...packages.map((g) => g.name), ...[...byPackage.keys()].filter((k) => !packages.some((g) => g.name === k)).sort()];
  const lines: string[] = [];
  for (const pkg of order) {
    const list = byPackage.get(pkg);
    if (list === undefined) continue;
    lines.push(`  ${pkg}`);
    for (const f of list) {
      const first = view?.byPath.get(f.path)?.reasons[0];
      // A rule's name says enough on one line; its full words are in --json and the report.
      const why = first?.kind === "rule" ? `rule ${first.rule}` : first?.text;
      const what = f.kind === "symlink" ? `-> ${f.target ?? ""}`.padStart(10) : formatSize(f.size).padStart(10);
      lines.push(`    ${what}  ${f.path}${why === undefined ? "" : `  (${why})`}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** `mcc diff A B`: what was dropped, kept and added, by package, and how many bytes that saved. */
export async function diffCommand(a: string, b: string, options: InspectOptions, io: CliIo): Promise<ExitCode> {
  return reportingImageErrors(io, async () => {
    const opts = options.arch === undefined ? {} : { arch: options.arch };
    const side = async (image: string) => {
      const read = await readImage(image, opts);
      const view = read.provenance === undefined ? undefined : viewProvenance(read.provenance);
      return { files: read.files, texts: read.texts, knownOwners: provenanceOwners(view) };
    };
    const d = diffImages(await side(a), await side(b));
    io.stdout(options.json ? JSON.stringify(d, null, 2) + "\n" : diffText(d, a, b, options.files === true));
    return EXIT.ok;
  });
}

/** The package mcc's provenance gives each path (`(mcc)`, `(spec)` for what no dpkg record lists). */
function provenanceOwners(view: ProvenanceView | undefined): ReadonlyMap<string, string> {
  return new Map([...(view?.byPath ?? [])].map(([path, p]) => [path, p.package]));
}

function table(groups: readonly Group[], total: number, view?: ProvenanceView): string {
  return groups
    .map((g) => {
      const why = view?.packageWhy.get(g.name);
      return `  ${formatSize(g.bytes).padStart(10)}  ${((100 * g.bytes) / Math.max(total, 1)).toFixed(1).padStart(5)}%  ${String(g.files).padStart(5)} files  ${g.name}${g.version === undefined ? "" : ` ${g.version}`}${why === undefined ? "" : `\n${" ".repeat(37)}why: ${why}`}\n`;
    })
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
