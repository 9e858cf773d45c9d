import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Host } from "../host/host.js";
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
    const stat = await host.stat(resolved);
    const at = locate(ast, pointer);
    if (stat === undefined) {
      out.push(diagnosticAt(ast.source, at, "MCC307", { value: file.source, resolved }));
      continue;
    }
    const real = await host.realpath(resolved);
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
    if ((await host.stat(resolved))?.kind !== "file") {
      out.push(diagnosticAt(ast.source, locate(ast, "/from/keyring"), "MCC317", { value: spec.from.keyring, resolved }));
    }
  }
  return out;
}
