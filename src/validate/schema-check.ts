import type { ErrorObject } from "ajv/dist/2020.js";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { resolveRef, type JsonSchema } from "../schema/spec-schema.js";
import validateSpecSchema from "../generated/spec-validator.js";
import type { SpecAst } from "../types/ast.js";
import { childPointer } from "../types/ast.js";
import { didYouMean } from "../diagnostics/did-you-mean.js";
import { describeValue, fieldName, locate, valueAt } from "../diagnostics/locate.js";

/**
 * The schema's validator, compiled ahead of time by Ajv (all errors, verbose) into
 * spec-validator.generated.ts: compiling it at every start cost ~110 ms. A test regenerates it
 * from the schema and fails when it is stale.
 */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

function validator(): Validator {
  return validateSpecSchema as unknown as Validator;
}

/** Checks the spec's shape against the JSON Schema; every error becomes a positioned diagnostic. */
export function checkSchema(ast: SpecAst): Diagnostic[] {
  const value = ast.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return [diagnosticAt(ast.source, locate(ast, ""), "MCC200", { actual: describeValue(value) })];
  }
  const validate = validator();
  if (validate(value)) return [];
  const errors = selectErrors(validate.errors ?? [], ast);
  return errors.flatMap((e) => toDiagnostics(e, ast));
}

/**
 * Ajv reports every branch of an `anyOf` that failed. A person wants only the branches that
 * fit the value's type (a string that breaks the pattern of the string branch, not "must be
 * integer"), or, when none fits, one "wrong type" naming all the types allowed. In this
 * schema an `anyOf` is the only validating keyword of its subschema, so its branch errors are
 * the run of errors just before it at or below its instance path.
 */
function selectErrors(all: readonly ErrorObject[], ast: SpecAst): ErrorObject[] {
  const drop = new Set<number>();
  const replaced = new Map<number, ErrorObject>();
  all.forEach((error, index) => {
    if (error.keyword === "oneOf") {
      // `files` items: exactly one of source and content. The branches' `required` errors
      // only restate that.
      for (let k = index - 1; k >= 0 && all[k]?.schemaPath.includes("/oneOf/"); k--) drop.add(k);
      return;
    }
    if (error.keyword !== "anyOf") return;
    const at = error.instancePath;
    const branchErrors: number[] = [];
    for (let k = index - 1; k >= 0; k--) {
      const p = all[k]?.instancePath ?? "";
      if (drop.has(k) || !(p === at || p.startsWith(at + "/"))) break;
      branchErrors.push(k);
    }
    const branches = ((error.schema as JsonSchema[] | undefined) ?? []).map(resolveRef);
    const instance = valueAt(ast.value, at);
    const fitting = branches.filter((b) => typeFits(b.type, instance));
    if (fitting.length === 0) {
      for (const k of branchErrors) drop.add(k);
      const types = branches.map((b) => b.type).filter((t): t is string => typeof t === "string");
      replaced.set(index, { ...error, keyword: "type", params: { type: types } });
    } else {
      for (const k of branchErrors) {
        const e = all[k];
        if (e?.keyword === "type" && e.instancePath === at) drop.add(k);
      }
      drop.add(index);
    }
  });
  return all.flatMap((e, i) => (drop.has(i) ? [] : [replaced.get(i) ?? e]));
}

function typeFits(type: unknown, value: unknown): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  object: "a mapping",
  array: "a list",
  boolean: "true or false",
  null: "empty",
};

function toDiagnostics(error: ErrorObject, ast: SpecAst): Diagnostic[] {
  const pointer = error.instancePath;
  const field = fieldName(pointer);
  const value = valueAt(ast.value, pointer);
  const at = locate(ast, pointer);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = String(params["additionalProperty"]);
      const known = Object.keys(parent.properties ?? {});
      const guess = didYouMean(name, known) ?? synonymOf(name, known);
      return [
        diagnosticAt(
          ast.source,
          locate(ast, childPointer(pointer, name), "key"),
          "MCC201",
          { field: name, suggestion: guess === undefined ? "" : ` (did you mean "${guess}"?)` },
          guess === undefined ? `${pointer === "" ? "the spec" : field} takes: ${known.join(", ")}` : undefined,
        ),
      ];
    }
    case "required": {
      const name = String(params["missingProperty"]);
      const where = pointer === "" ? "" : ` in ${field}`;
      return [diagnosticAt(ast.source, locate(ast, pointer, "key"), "MCC202", { field: name, where })];
    }
    case "type": {
      const raw = params["type"];
      const types = Array.isArray(raw) ? raw.map(String) : [String(raw)];
      const expected = joinOr(types.map((t) => TYPE_WORDS[t] ?? t));
      return [
        diagnosticAt(ast.source, at, "MCC203", { field, expected, actual: describeValue(value) }, typeHint(types, value, ast, pointer)),
      ];
    }
    case "pattern": {
      const name = (error as ErrorObject & { propertyName?: string }).propertyName;
      if (typeof name === "string") {
        // A key that breaks `propertyNames` (an environment variable name, say).
        const detail = parent.patternErrorMessage ?? `it must match ${String(params["pattern"])}`;
        return [diagnosticAt(ast.source, locate(ast, childPointer(pointer, name), "key"), "MCC204", { field: `${field} key`, value: name, detail })];
      }
      const detail = parent.patternErrorMessage ?? `it must match ${String(params["pattern"])}`;
      return [diagnosticAt(ast.source, at, "MCC204", { field, value: String(value), detail })];
    }
    case "propertyNames":
      return [];
    case "enum":
    case "const": {
      const allowed = error.keyword === "enum" ? (params["allowedValues"] as unknown[]) : [params["allowedValue"]];
      const words = allowed.map((a) => JSON.stringify(a));
      const one = words.length === 1 ? (words[0] as string) : `one of ${joinOr(words)}`;
      const guess = typeof value === "string" ? didYouMean(value, allowed.map(String)) : undefined;
      return [
        diagnosticAt(ast.source, at, "MCC205", {
          field,
          allowed: one,
          actual: describeValue(value),
          suggestion: guess === undefined ? "" : ` (did you mean "${guess}"?)`,
        }),
      ];
    }
    case "minItems": {
      const min = Number(params["limit"]);
      return [diagnosticAt(ast.source, at, "MCC206", { field, min, plural: min === 1 ? "" : "s" })];
    }
    case "minProperties": {
      // `user: {}`: the full form of a field with nothing in it.
      const options = Object.keys(parent.properties ?? {}).map((n) => `"${n}"`);
      return [diagnosticAt(ast.source, at, "MCC211", { field, options: joinOr(options) })];
    }
    case "uniqueItems": {
      const later = Math.max(Number(params["i"]), Number(params["j"]));
      const item = valueAt(ast.value, childPointer(pointer, later));
      return [diagnosticAt(ast.source, locate(ast, childPointer(pointer, later)), "MCC207", { field, value: JSON.stringify(item) })];
    }
    case "minimum":
    case "maximum": {
      const relation = error.keyword === "minimum" ? "at least" : "at most";
      const actual = ast.locations.get(pointer)?.raw ?? String(value);
      return [diagnosticAt(ast.source, at, "MCC208", { field, relation, limit: Number(params["limit"]), actual })];
    }
    case "minLength":
    case "maxLength": {
      const relation = error.keyword === "minLength" ? "at least" : "at most";
      const limit = Number(params["limit"]);
      return [diagnosticAt(ast.source, at, "MCC210", { field, relation, limit, plural: limit === 1 ? "" : "s" })];
    }
    case "oneOf": {
      const passing = params["passingSchemas"];
      const options = ((error.schema as JsonSchema[] | undefined) ?? [])
        .flatMap((s) => (Array.isArray(s["required"]) ? (s["required"] as string[]) : []))
        .map((n) => `"${n}"`);
      const hint = Array.isArray(passing) ? "it has both; keep one" : "it has neither";
      return [diagnosticAt(ast.source, locate(ast, pointer, "key"), "MCC209", { field, options: joinOr(options) }, hint)];
    }
    default:
      throw new Error(`unmapped schema keyword "${error.keyword}" at ${pointer || "/"}: ${error.message ?? ""}`);
  }
}

function typeHint(types: readonly string[], value: unknown, ast: SpecAst, pointer: string): string | undefined {
  const raw = ast.locations.get(pointer)?.raw ?? (typeof value === "boolean" ? String(value) : undefined);
  if (types.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    return `quote it to make it a string: "${raw ?? String(value)}"`;
  }
  if (types.length === 1 && types[0] === "array" && typeof value === "string") {
    return `write a list, even of one item: [${value}]`;
  }
  return undefined;
}

/**
 * What users coming from Dockerfiles, compose files and OCI configs write for a field.
 * Offered only when the word is not a typo of a real field.
 */
const SYNONYMS: Record<string, string> = {
  entrypoint: "executable",
  command: "args",
  cmd: "args",
  environment: "env",
  volumes: "mounts",
  expose: "ports",
  working_dir: "workdir",
  workingdir: "workdir",
  cwd: "workdir",
  image: "name",
  arch: "archs",
  architectures: "archs",
  suite: "release",
  distribution: "release",
  outputs: "output",
  format: "output",
};

function synonymOf(word: string, known: readonly string[]): string | undefined {
  const target = SYNONYMS[word.toLowerCase()];
  return target !== undefined && known.includes(target) ? target : undefined;
}

function joinOr(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}
