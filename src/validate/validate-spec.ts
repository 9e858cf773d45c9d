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
  const semantic = checkSemantics(ast);
  // The schema carries patterns for editors (absolute paths, sources inside the spec's
  // directory) that the checks of meaning make again with more precise words: where both speak
  // of one value, the check of meaning is the one said.
  const said = new Set(semantic.map((d) => `${d.line}:${d.col}`));
  const schemaDiagnostics = checkSchema(ast).filter((d) => !(d.code === "MCC204" && said.has(`${d.line}:${d.col}`)));
  const diagnostics = sortDiagnostics([...schemaDiagnostics, ...semantic]);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { spec: normalizeSpec(ast.value as SpecDocument, options), diagnostics };
}
