import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { HostError, type Host } from "../host/host.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { Spec } from "../types/spec.js";
import { locate } from "../diagnostics/locate.js";

/**
 * The checks that need the file system: every `files.source` is a regular file inside the
 * spec's directory (after symlinks), and a `from.keyring` the spec names exists. This is the
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
    if (stat.kind !== "file") {
      out.push(diagnosticAt(ast.source, at, "MCC309", { value: file.source, kind: stat.kind === "directory" ? "a directory" : "not a file" }));
    }
  }

  if (spec.from.keyring !== undefined) {
    const resolved = posix.isAbsolute(spec.from.keyring) ? spec.from.keyring : posix.join(specDir, spec.from.keyring);
    const looked = await lookUp(host, resolved);
    if ("reason" in looked || looked.stat?.kind !== "file") {
      out.push(diagnosticAt(ast.source, locate(ast, "/from/keyring"), "MCC317", { value: spec.from.keyring, resolved }));
    }
  }
  return out;
}

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
