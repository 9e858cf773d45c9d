#!/usr/bin/env node
// The code generated from the spec's schema, in one place (src/generated/): the TypeScript
// input types (json-schema-to-typescript) and the precompiled validator (Ajv's standalone
// code, so a run never compiles the schema). `npm run generate` writes them; the test suite
// only checks that they match what this would write (test/schema.test.ts).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BANNER = "Generated from schema/mcc.schema.json by schema/generate.mjs; do not edit. Regenerate: npm run generate";

/** Every generated file: its path from the repository's root, and its content. */
export async function generatedFiles() {
  const schema = JSON.parse(readFileSync(join(root, "schema", "mcc.schema.json"), "utf8"));
  const types = await compile(schema, "MccSpec", {
    bannerComment: `/* ${BANNER} */`,
    unreachableDefinitions: false,
    additionalProperties: false,
    format: true,
    cwd: join(root, "schema"),
  });
  // The same options as a validator compiled at run time would use (all errors, verbose).
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, code: { source: true, esm: true } });
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  const validator = [
    "// @ts-nocheck",
    `/* ${BANNER} (Ajv standalone code) */`,
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    standaloneCode.default(ajv, ajv.compile(schema)),
    "",
  ].join("\n");
  return [
    { path: "src/generated/spec-document.ts", content: types },
    { path: "src/generated/spec-validator.ts", content: validator },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of await generatedFiles()) {
    writeFileSync(join(root, file.path), file.content);
    console.log(`wrote ${file.path}`);
  }
}
