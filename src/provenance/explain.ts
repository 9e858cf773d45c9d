import type { ImageTree } from "../assemble/image-tree.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import { isDropNote, notedPath } from "../extract/notes.js";
import type { Reason } from "../trace/trace.js";
import type { VirtualRoot } from "../trace/vroot.js";

/** One reason in words, as `mcc why` and `--explain` print it. */
export function describeReason(r: Reason): string {
  switch (r.kind) {
    case "executable":
      return "the spec's executable";
    case "interpreter":
      return `the ELF interpreter (PT_INTERP) of ${r.by}`;
    case "needed":
      return `${r.name}, needed (DT_NEEDED) by ${r.by}`;
    case "shebang":
      return `the #! interpreter of ${r.by}`;
    case "symlink":
      return `a symlink on the way to ${r.to}`;
    case "alternative":
      return `the update-alternatives link ${r.name} (the package's postinst would make it), used by ${r.by}`;
    case "rule":
      return `rule ${r.rule}: ${r.why}`;
    case "include":
      return `the spec's include glob ${r.glob}`;
    case "file":
      return `the spec's files entry (${r.source})`;
  }
}

/** What pulled this reason in: the path it names, to explain in turn. */
function parentOf(r: Reason): string | undefined {
  switch (r.kind) {
    case "interpreter":
    case "needed":
    case "shebang":
      return r.by;
    case "symlink":
      return r.to;
    default:
      return undefined;
  }
}

/**
 * Why a path is in the image, as lines: the path and its package, then each step of the first
 * chain of reasons back to the executable, a rule or an include.
 */
export function explainPath(tree: ImageTree, root: VirtualRoot, path: string, unpackNotes: readonly { pkg: string; note: string }[] = []): string[] {
  const entryOf = (p: string) => tree.entries.find((e) => e.path === p);
  const left = tree.dropped?.find((d) => d.path === path);
  if (left !== undefined) {
    return [`${path} is not in the image: package ${left.pkg} has it under ${left.under}, which is a symlink in the image; entries under a symlink are left out, so that no extractor writes through the link`];
  }
  const unpacked = unpackNotes.find(({ note }) => isDropNote(note) && mergedUsrPath(notedPath(note)) === mergedUsrPath(path));
  if (unpacked !== undefined) {
    const why = unpacked.note.slice(unpacked.note.indexOf(": ") + 2, -"; dropped".length);
    return [`${path} is not in the image: package ${unpacked.pkg} has it, and it was dropped as the package was unpacked: ${why}`];
  }
  let target = path;
  const lines: string[] = [];
  if (entryOf(target) === undefined) {
    const found = root.lookup(path);
    if (found !== undefined && entryOf(found.path) !== undefined) {
      lines.push(`${path} resolves to ${found.path}`);
      target = found.path;
    } else {
      const node = found?.node;
      return node === undefined
        ? [`${path} is not in the image, and no package of the set has it`]
        : [`${path} is not in the image: package ${node.pkg} has it, but nothing needs it (add it to include to keep it)`];
    }
  }
  const seen = new Set<string>();
  for (let p: string | undefined = target, depth = 0; p !== undefined && !seen.has(p) && depth < 64; depth++) {
    seen.add(p);
    const entry = entryOf(p);
    const pkg = entry !== undefined && "pkg" in entry ? entry.pkg : "(mcc)";
    const reasons: readonly Reason[] = tree.reasons.get(p) ?? [];
    const first: Reason | undefined = reasons[0];
    lines.push(`${"  ".repeat(depth)}${p} (${pkg === "(mcc)" ? "made by mcc" : pkg === "(spec)" ? "from the spec" : `from ${pkg}`})${first === undefined ? ": a parent directory of kept files" : `: ${describeReason(first)}`}`);
    for (const more of reasons.slice(1)) lines.push(`${"  ".repeat(depth)}  also: ${describeReason(more)}`);
    p = first === undefined ? undefined : parentOf(first);
  }
  return lines;
}

/** The whole table, for `mcc compile --explain`: every entry, its package and its reasons. */
export function explainAll(tree: ImageTree): { path: string; kind: string; package: string; reasons: string[] }[] {
  return tree.entries.map((e) => ({
    path: e.path,
    kind: e.kind,
    package: "pkg" in e ? e.pkg : "(mcc)",
    reasons: (tree.reasons.get(e.path) ?? []).map(describeReason),
  }));
}
