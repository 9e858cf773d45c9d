// The schema is the one source of truth for the spec's shape. These tests keep everything
// that repeats it honest: the generated TypeScript types, the examples and the defaults.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { compile } from "json-schema-to-typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveRef, specSchema } from "../src/schema/spec-schema.js";
import { OUTPUT_FORMATS } from "../src/types/spec.js";
import { repoRoot } from "./helpers.js";
import { fields } from "./schema-fields.js";

const generatedPath = join(repoRoot, "src", "types", "spec-document.generated.ts");

test("the TypeScript input types are generated from the schema, and current", async () => {
  const fresh = await compile(JSON.parse(readFileSync(join(repoRoot, "schema", "mcc.schema.json"), "utf8")), "MccSpec", {
    bannerComment:
      "/* Generated from schema/mcc.schema.json by test/schema.test.ts; do not edit. Regenerate: UPDATE=1 npm test */",
    unreachableDefinitions: false,
    additionalProperties: false,
    format: true,
    cwd: join(repoRoot, "schema"),
  });
  if (process.env["UPDATE"] === "1") writeFileSync(generatedPath, fresh);
  assert.fixture(readFileSync(generatedPath, "utf8"), fresh, "src/types/spec-document.generated.ts is stale: run UPDATE=1 npm test");
});

const validatorPath = join(repoRoot, "src", "validate", "spec-validator.generated.ts");

test("the precompiled validator is generated from the schema, and current", async () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, "schema", "mcc.schema.json"), "utf8")) as object;
  // The same options as a validator compiled at run time would use (all errors, verbose).
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, code: { source: true, esm: true } });
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  const fresh = [
    "// @ts-nocheck",
    "/* Generated from schema/mcc.schema.json by test/schema.test.ts (Ajv standalone code); do not edit. Regenerate: UPDATE=1 npm test */",
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    code,
    "",
  ].join("\n");
  if (process.env["UPDATE"] === "1") writeFileSync(validatorPath, fresh);
  assert.ok(readFileSync(validatorPath, "utf8") === fresh, "src/validate/spec-validator.generated.ts is stale: run UPDATE=1 npm test");
});

test("the schema is valid draft 2020-12 and has an $id", () => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  assert.ok(ajv.validateSchema(specSchema), JSON.stringify(ajv.errors));
  assert.is(specSchema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  assert.match(String(specSchema.$id), /^https:\/\//);
});

test("every field has a description and examples, and states its default", () => {
  const all = fields();
  assert.ok(all.length > 30, `only ${all.length} fields found`);
  for (const { path, schema, optional } of all) {
    assert.ok(typeof schema.description === "string" && schema.description.length > 10, `${path}: description`);
    assert.ok(Array.isArray(schema.examples) && schema.examples.length > 0, `${path}: examples`);
    if (optional && path.split(".").length === 1) {
      assert.ok("default" in schema || /[Dd]efaults? /.test(schema.description ?? ""), `${path}: default`);
    }
  }
});

test("every example in the schema is valid for its own field", () => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  ajv.addSchema(specSchema);
  for (const { path, schema } of fields()) {
    const { examples, default: _default, ...rest } = schema;
    const validate = ajv.compile({ $defs: specSchema.$defs, ...rest, $id: undefined, $schema: undefined } as object);
    for (const example of examples ?? []) {
      assert.ok(validate(example), `${path}: example ${JSON.stringify(example)}: ${JSON.stringify(validate.errors)}`);
    }
  }
});

test("the output formats of the types are the schema's", () => {
  const output = resolveRef({ $ref: "#/$defs/output" });
  assert.equal([...OUTPUT_FORMATS], output.properties?.["format"]?.enum);
});

test.run();
