import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SpecAst } from "../types/ast.js";
import type { Spec, SpecDocument } from "../types/spec.js";
import { normalizeSpec, type NormalizeOptions } from "./normalize.js";
import { checkSchema } from "./schema-check.js";
import { checkSemantics } from "./semantic.js";

export interface ValidateResult {
  /** Present when there is no error. */
  readonly spec?: Spec;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * SpecAst -> Spec: the JSON Schema, then the checks of meaning, then the defaults. Pure.
 * Both kinds of check run on every spec, so one run reports every problem it can see.
 */
export function validateSpec(ast: SpecAst, options: NormalizeOptions): ValidateResult {
  const schemaDiagnostics = checkSchema(ast);
  const diagnostics = sortDiagnostics([...schemaDiagnostics, ...checkSemantics(ast)]);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { spec: normalizeSpec(ast.value as SpecDocument, options), diagnostics };
}
