import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { HostError, type Host } from "../host/host.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { Spec } from "../types/spec.js";
import { locate } from "../diagnostics/locate.js";
import { treeExcluder } from "../paths/tree-glob.js";
import { MAX_SOURCE_FILE, walkSourceTree, walkTarball } from "./source-tree.js";

/**
 * The checks that need the file system: every `files.source` is a regular file or a directory
 * inside the spec's directory (after symlinks), a directory holds nothing an image cannot, and
 * a `from.keyring` the spec names exists. This is the
 * I/O edge of validation; everything before it is pure.
 */
export async function checkSpecFiles(spec: Spec, ast: SpecAst, specPath: string, host: Host): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const specDir = posix.dirname(specPath);
  const realSpecDir = (await host.realpath(specDir)) ?? specDir;

  for (const [i, file] of spec.files.entries()) {
    if (file.kind !== "source") continue;
    const pointer = childPointer(childPointer("/files", i), "source");
    const resolved = posix.join(specDir, file.source);
    const at = locate(ast, pointer);
    // A symlink loop, a permission denied: the source cannot be used, and the host says why.
    const looked = await lookUp(host, resolved);
    if ("reason" in looked) {
      out.push(diagnosticAt(ast.source, at, "MCC309", { value: file.source, kind: `unreadable (${looked.reason})` }));
      continue;
    }
    const { stat, real } = looked;
    if (stat === undefined) {
      out.push(diagnosticAt(ast.source, at, "MCC307", { value: file.source, resolved }));
      continue;
    }
    if (real !== undefined && !(real === realSpecDir || real.startsWith(realSpecDir.replace(/\/$/, "") + "/"))) {
      out.push(diagnosticAt(ast.source, at, "MCC308", { value: file.source }, `it is a symlink to ${real}`));
      continue;
    }
    if (file.unpack && stat.kind === "file") {
      out.push(...(await checkTree(host, spec, ast, i, resolved, true)));
    } else if (stat.kind === "directory") {
      out.push(...(await checkTree(host, spec, ast, i, resolved)));
    } else if (stat.kind === "file" && stat.size > MAX_SOURCE_FILE) {
      out.push(diagnosticAt(ast.source, at, "MCC323", { value: file.source, reason: `is ${stat.size} bytes (at most ${MAX_SOURCE_FILE})` }));
    } else if (stat.kind !== "file") {
      out.push(diagnosticAt(ast.source, at, "MCC309", { value: file.source, kind: "a device, socket or pipe" }));
    }
  }

  // Local packages: a file of the repository, as a source is (its content is read when locking).
  for (const [i, p] of spec.packages.entries()) {
    if (!("deb" in p)) continue;
    const at = locate(ast, childPointer("/packages", i));
    const resolved = posix.join(specDir, p.deb);
    const looked = await lookUp(host, resolved);
    const problem =
      "reason" in looked
        ? `cannot be read (${looked.reason})`
        : looked.stat === undefined
          ? `does not exist (looked for ${resolved})`
          : looked.real !== undefined && !(looked.real === realSpecDir || looked.real.startsWith(realSpecDir.replace(/\/$/, "") + "/"))
            ? `leaves the spec's directory: it is a symlink to ${looked.real}`
            : looked.stat.kind !== "file"
              ? "is not a regular file"
              : undefined;
    if (problem !== undefined) out.push(diagnosticAt(ast.source, at, "MCC327", { value: p.deb, reason: problem }));
  }

  if (spec.from.keyring !== undefined) {
    const resolved = posix.isAbsolute(spec.from.keyring) ? spec.from.keyring : posix.join(specDir, spec.from.keyring);
    const looked = await lookUp(host, resolved);
    if ("reason" in looked || looked.stat?.kind !== "file") {
      out.push(diagnosticAt(ast.source, locate(ast, "/from/keyring"), "MCC317", { value: spec.from.keyring, resolved }));
    } else if (looked.stat.size > MAX_KEYRING) {
      out.push(diagnosticAt(ast.source, locate(ast, "/from/keyring"), "MCC328", { value: spec.from.keyring, size: looked.stat.size, limit: MAX_KEYRING }));
    }
  }
  return out;
}

/**
 * A directory source: `mode` does not apply to it, and nothing in it may be what an image
 * cannot hold (a link out of it, a device, a file over the limit); each problem is reported at
 * the entry's `source`, naming the path inside the tree.
 */
async function checkTree(host: Host, spec: Spec, ast: SpecAst, i: number, dir: string, tarball = false): Promise<Diagnostic[]> {
  const file = spec.files[i];
  if (file?.kind !== "source") return [];
  const pointer = childPointer("/files", i);
  const out: Diagnostic[] = [];
  const raw = (ast.value as { files?: { mode?: unknown }[] }).files?.[i];
  if (raw?.mode !== undefined) {
    const modeAt = childPointer(pointer, "mode");
    out.push(diagnosticAt(ast.source, locate(ast, modeAt), "MCC324", { value: ast.locations.get(modeAt)?.raw ?? String(raw.mode), source: file.source }));
  }
  const excluded = treeExcluder(file.exclude);
  if (excluded === undefined) return out; // the patterns were reported already
  const at = locate(ast, childPointer(pointer, "source"));
  const { problems } = tarball ? await walkTarball(host, dir, excluded) : await walkSourceTree(host, dir, excluded);
  const inTree = (rel: string) => `${file.source.replace(/\/+$/, "")}/${rel}`;
  for (const problem of problems) {
    switch (problem.kind) {
      case "escapes":
        out.push(diagnosticAt(ast.source, at, "MCC321", { value: inTree(problem.rel), target: problem.target }));
        break;
      case "outside":
        out.push(diagnosticAt(ast.source, at, "MCC330", { value: problem.rel, source: file.source }));
        break;
      case "special":
        out.push(diagnosticAt(ast.source, at, "MCC322", { value: inTree(problem.rel), what: "a device, socket or pipe" }));
        break;
      case "bad-name":
        out.push(diagnosticAt(ast.source, at, "MCC331", { value: inTree(problem.rel), reason: problem.reason }));
        break;
      case "too-large":
        out.push(diagnosticAt(ast.source, at, "MCC323", { value: file.source, reason: `holds ${inTree(problem.rel)}, of ${problem.size} bytes (at most ${MAX_SOURCE_FILE})` }));
        break;
      case "too-many":
        out.push(diagnosticAt(ast.source, at, "MCC323", { value: file.source, reason: `holds more than ${problem.limit} entries` }));
        break;
      case "unreadable":
        out.push(diagnosticAt(ast.source, at, "MCC309", { value: inTree(problem.rel), kind: `unreadable (${problem.reason})` }));
        break;
    }
  }
  return out;
}

/** The largest keyring read: far above any real one (Debian's is about 100 KiB). */
export const MAX_KEYRING = 16 * 1024 * 1024;

/** What is at a path and where it really is; or why the host could not say (HostError). */
async function lookUp(host: Host, path: string): Promise<{ stat: Awaited<ReturnType<Host["stat"]>>; real: string | undefined } | { reason: string }> {
  try {
    const stat = await host.stat(path);
    return { stat, real: stat === undefined ? undefined : await host.realpath(path) };
  } catch (error) {
    if (error instanceof HostError) return { reason: error.reason };
    throw error;
  }
}
