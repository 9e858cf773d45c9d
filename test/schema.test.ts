// The schema is the one source of truth for the spec's shape. These tests keep everything
// that repeats it honest: the generated TypeScript types, the examples and the defaults.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveRef, specSchema } from "../src/schema/spec-schema.js";
import { OUTPUT_FORMATS } from "../src/types/spec.js";
import { repoRoot } from "./helpers.js";
import { fields } from "./schema-fields.js";

interface Generated {
  generatedFiles(): Promise<{ path: string; content: string }[]>;
}
const generator = (await import(pathToFileURL(join(repoRoot, "schema", "generate.mjs")).href)) as Generated;

test("the code generated from the schema (src/generated/: input types, precompiled validator) is current", async () => {
  const files = await generator.generatedFiles();
  assert.equal(files.map((f) => f.path).sort(), readdirSync(join(repoRoot, "src", "generated")).map((f) => `src/generated/${f}`).sort(), "src/generated/ holds exactly what schema/generate.mjs writes");
  for (const file of files) {
    assert.ok(readFileSync(join(repoRoot, file.path), "utf8") === file.content, `${file.path} is stale: run npm run generate`);
  }
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
