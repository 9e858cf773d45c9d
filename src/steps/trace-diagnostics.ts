import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locate } from "../diagnostics/locate.js";
import type { TraceProblem } from "../trace/trace.js";
import type { SpecAst } from "../types/ast.js";

/**
 * Tracing's problems as diagnostics at the spec's `executable`. `shippedBy`: the packages of
 * the release that ship a missing path, when the Contents index was asked.
 */
export function traceDiagnostics(problems: readonly TraceProblem[], ast: SpecAst, shippedBy: ReadonlyMap<string, readonly string[]> = new Map()): Diagnostic[] {
  return problems.map((p) => problemDiagnostic(p, ast, shippedBy));
}

/** "it is in the package P: add it to packages", from the Contents index. */
function shippedHint(path: string, shippedBy: ReadonlyMap<string, readonly string[]>): string | undefined {
  const packages = shippedBy.get(path) ?? [];
  if (packages.length === 0) return undefined;
  return packages.length === 1 ? `the release's package ${packages[0]} ships it: add it to packages` : `the release's packages ${packages.join(", ")} ship it: add the one you want to packages`;
}

function problemDiagnostic(problem: TraceProblem, ast: SpecAst, shippedBy: ReadonlyMap<string, readonly string[]>): Diagnostic {
  const at = locate(ast, "/executable");
  switch (problem.kind) {
    case "executable-missing":
      return diagnosticAt(
        ast.source,
        at,
        "MCC500",
        { path: problem.path },
        shippedHint(problem.path, shippedBy) ?? (problem.suggestions.length > 0 ? `the packages have: ${problem.suggestions.join(", ")}` : "add the package that ships it to packages"),
      );
    case "library-missing":
      return diagnosticAt(ast.source, at, "MCC501", { name: problem.name, by: problem.by }, `searched ${problem.searched.join(":")}; add the package that ships ${problem.name}`);
    case "interpreter-missing":
      return diagnosticAt(ast.source, at, "MCC502", { path: problem.path, by: problem.by }, shippedHint(problem.path, shippedBy) ?? `add the package that ships ${posix.basename(problem.path)}`);
    case "bad-elf":
      return diagnosticAt(ast.source, at, "MCC503", { path: problem.path, message: problem.message });
  }
}
