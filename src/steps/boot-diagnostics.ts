import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locate, valueAt } from "../diagnostics/locate.js";
import { childPointer, type SpecAst } from "../types/ast.js";

/** Modules the spec names (`boot.modules`) that the kernel package has neither built in nor as a file. */
export class MissingModules extends Error {
  constructor(
    readonly kernel: string,
    readonly missing: readonly { readonly name: string; readonly close?: string }[],
  ) {
    super(`the kernel package ${kernel} has no module ${missing.map((m) => m.name).join(", ")}`);
    this.name = "MissingModules";
  }
}

/** Each `boot.modules` entry the kernel package lacks, at its line (once, whatever the architectures). */
export function missingModuleDiagnostics(error: MissingModules, ast: SpecAst): Diagnostic[] {
  const listed = valueAt(ast.value, "/boot/modules");
  const names = Array.isArray(listed) ? listed : [];
  return error.missing.map(({ name, close }) => {
    const i = names.indexOf(name);
    const at = locate(ast, i < 0 ? "/boot/modules" : childPointer("/boot/modules", i));
    return diagnosticAt(ast.source, at, "MCC511", { kernel: error.kernel, value: name, suggestion: close === undefined ? "" : ` (did you mean "${close}"?)` });
  });
}
