import type { DiffEntry, ImageDiff, Tally } from "../../inspect/diff-images.js";
import { formatSize } from "./common.js";

/** How many entries of one heading the text shows before it says how many more (without --files). */
const SHOWN = 10;

/**
 * `mcc diff` as a person reads it: how much smaller or larger, the packages dropped (with
 * what each saved), kept (what each keeps) and added, then the entries that are not a whole
 * package's, by heading. Entries of packages dropped or added whole are only counted, and
 * directories are left out, unless `all` (`--files`). Pure.
 */
export function diffText(d: ImageDiff, a: string, b: string, all: boolean): string {
  const out: string[] = [`${a} -> ${b}`];
  const delta = d.bytes.after - d.bytes.before;
  const share = d.bytes.before === 0 ? "" : `, ${delta > 0 ? "+" : "-"}${((100 * Math.abs(delta)) / d.bytes.before).toFixed(1)}%`;
  out.push(`size: ${formatSize(d.bytes.before)} -> ${formatSize(d.bytes.after)} (${delta === 0 ? "the same" : `${formatSize(Math.abs(delta))} ${delta < 0 ? "saved" : "more"}${share}`})`);
  const count = (list: readonly DiffEntry[]) => list.filter((f) => f.kind === "file").length;
  out.push(`files: ${d.files.before} -> ${d.files.after} (${count(d.removed)} removed, ${count(d.added)} added, ${d.changed.length} changed)`);
  const p = d.packages;
  if (p.removed.length + p.added.length + p.kept.length > 0) {
    out.push(`packages: ${p.removed.length + p.kept.length} -> ${p.added.length + p.kept.length} (${p.removed.length} removed, ${p.added.length} added, ${p.kept.length} kept)`);
  }
  const wide = Math.max(0, ...[...p.removed, ...p.added, ...p.kept].map((q) => q.name.length + q.version.length + 1));
  const label = (name: string, version: string) => `${name} ${version}`.padEnd(wide);
  if (p.removed.length > 0) out.push("", "removed packages, largest first:", ...p.removed.map((q) => `- ${label(q.name, q.version)}  ${sized(q)}`));
  if (p.added.length > 0) out.push("", "added packages, largest first:", ...p.added.map((q) => `+ ${label(q.name, q.version)}  ${sized(q)}`));
  if (p.kept.length > 0) {
    out.push("", "kept packages:");
    for (const q of p.kept) out.push(`  ${label(q.name, q.version)}  ${q.before.files === q.after.files && q.before.bytes === q.after.bytes ? `${sized(q.after)}, unchanged` : `${sized(q.before)} -> ${sized(q.after)}`}`);
  }
  for (const c of p.changed) out.push(`~ package ${c.name} ${c.from} -> ${c.to}`);
  // Entries under their heading: whole packages' only with --files (their line above says them).
  const whole = new Set([...p.removed, ...p.added].map((q) => q.name));
  const headings = new Map<string, string[]>();
  const put = (heading: string, line: string) => headings.set(heading, [...(headings.get(heading) ?? []), line]);
  for (const f of d.removed) if (show(f, whole, all)) put(f.package ?? "(directories)", `- ${entry(f)}`);
  for (const f of d.added) if (show(f, whole, all)) put(f.package ?? "(directories)", `+ ${entry(f)}`);
  for (const c of d.changed) put(c.package ?? "(directories)", `~ ${c.after.path}${c.after.kind === "file" ? ` (${formatSize(c.before.size)} -> ${formatSize(c.after.size)})` : ""}`);
  // Packages first, then `(unowned)`, `(dpkg records)` and the like.
  const order = (h: string) => `${h.startsWith("(") ? 1 : 0}${h}`;
  for (const heading of [...headings.keys()].sort((x, y) => (order(x) < order(y) ? -1 : 1))) {
    const lines = headings.get(heading) ?? [];
    out.push("", `${heading}:`, ...(all ? lines : lines.slice(0, SHOWN)).map((l) => `  ${l}`));
    if (!all && lines.length > SHOWN) out.push(`  ... and ${lines.length - SHOWN} more (--files lists them)`);
  }
  if (d.added.length + d.removed.length + d.changed.length === 0) out.push("", "the images hold the same files");
  return out.join("\n") + "\n";
}

function show(f: DiffEntry, whole: ReadonlySet<string>, all: boolean): boolean {
  return all || (f.kind !== "directory" && !whole.has(f.package ?? ""));
}

function sized(t: Tally): string {
  return `${formatSize(t.bytes)} in ${t.files} ${t.files === 1 ? "file" : "files"}`;
}

function entry(f: DiffEntry): string {
  return `${f.path}${f.kind === "file" ? ` (${formatSize(f.size)})` : f.kind === "symlink" ? ` -> ${f.target ?? ""}` : "/"}`;
}
