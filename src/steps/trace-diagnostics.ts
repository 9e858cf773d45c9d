import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locate } from "../diagnostics/locate.js";
import type { TraceProblem } from "../trace/trace.js";
import type { SpecAst } from "../types/ast.js";

/** Tracing's problems as diagnostics at the spec's `executable`. */
export function traceDiagnostics(problems: readonly TraceProblem[], ast: SpecAst): Diagnostic[] {
  return problems.map((p) => problemDiagnostic(p, ast));
}

function problemDiagnostic(problem: TraceProblem, ast: SpecAst): Diagnostic {
  const at = locate(ast, "/executable");
  switch (problem.kind) {
    case "executable-missing":
      return diagnosticAt(ast.source, at, "MCC500", { path: problem.path }, problem.suggestions.length > 0 ? `the packages have: ${problem.suggestions.join(", ")}` : "add the package that ships it to packages");
    case "library-missing":
      return diagnosticAt(ast.source, at, "MCC501", { name: problem.name, by: problem.by }, `searched ${problem.searched.join(":")}; add the package that ships ${problem.name}`);
    case "interpreter-missing":
      return diagnosticAt(ast.source, at, "MCC502", { path: problem.path, by: problem.by }, `add the package that ships ${posix.basename(problem.path)}`);
    case "bad-elf":
      return diagnosticAt(ast.source, at, "MCC503", { path: problem.path, message: problem.message });
  }
}
