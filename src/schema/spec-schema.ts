import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";

/**
 * The published JSON Schema of the spec (`schema/mcc.schema.json`), the one source of truth
 * for the spec's shape: Ajv validates with it, editors read it, and the TypeScript input
 * types are generated from it.
 */
export interface JsonSchema {
  readonly $id?: string;
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly patternErrorMessage?: string;
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
  readonly [keyword: string]: unknown;
}

/** Loaded from the package's own `schema/` directory. */
export const specSchema: JsonSchema = JSON.parse(readFileSync(join(PACKAGE_ROOT, "schema", "mcc.schema.json"), "utf8")) as JsonSchema;

/** Follows a local `$ref` (`#/$defs/name`) to the schema it names. */
export function resolveRef(schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined && hops < 16; hops++) {
    const match = /^#\/\$defs\/([^/]+)$/.exec(current.$ref);
    const target = match === null ? undefined : specSchema.$defs?.[match[1] as string];
    if (target === undefined) throw new Error(`unresolvable $ref ${current.$ref} in the spec schema`);
    current = target;
  }
  return current;
}
