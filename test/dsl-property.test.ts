// Property tests of the DSL: conversion is lossless both ways (YAML -> DSL -> YAML and
// DSL -> YAML -> DSL give the same model) for every valid fixture and for random valid specs;
// the DSL printer's output is canonical for fmt; and no input, whether random tokens, random bytes
// or broken specs, makes the parser throw: it answers with positioned diagnostics.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DIAGNOSTICS } from "../src/diagnostics/codes.js";
import { createSourceText } from "../src/types/source-text.js";
import { convertSpec, formatDsl } from "../src/format/convert-spec.js";
import { printDsl } from "../src/format/print-dsl.js";
import { printYaml } from "../src/format/print-yaml.js";
import { KEYWORD_NAMES } from "../src/parse/dsl-lexer.js";
import { parseDslSpec } from "../src/parse/parse-dsl.js";
import { parseYamlSpec } from "../src/parse/parse-yaml.js";
import type { LoadedSpec } from "../src/pipeline/load-spec.js";
import { loadDsl, repoRoot } from "./helpers.js";
import { fields } from "./schema-fields.js";
import { awkwardSpec, validSpec } from "./support/arbitraries.js";

const runs = Number(process.env["MCC_PROPERTY_RUNS"] ?? 300);

const yamlValue = (text: string) => parseYamlSpec(createSourceText("spec.yml", text)).ast?.value;
const dslValue = (text: string) => parseDslSpec(createSourceText("spec.mcc", text)).ast?.value;

/** YAML -> DSL -> YAML: each step converts without a diagnostic and keeps the model. */
function yamlRoundTrip(yaml: string): void {
  const model = yamlValue(yaml);
  const dsl = convertSpec(createSourceText("spec.yml", yaml), "yaml", "dsl");
  assert.equal(dsl.diagnostics, [], yaml);
  assert.ok(dsl.text !== undefined);
  assert.equal(dslValue(dsl.text), model, dsl.text);
  const back = convertSpec(createSourceText("spec.mcc", dsl.text), "dsl", "yaml");
  assert.equal(back.diagnostics, [], dsl.text);
  assert.equal(yamlValue(back.text ?? ""), model, back.text);
}

/** DSL -> YAML -> DSL, the same way. */
function dslRoundTrip(dsl: string): void {
  const model = dslValue(dsl);
  assert.ok(model !== undefined, dsl);
  const yaml = convertSpec(createSourceText("spec.mcc", dsl), "dsl", "yaml");
  assert.equal(yaml.diagnostics, [], dsl);
  assert.equal(yamlValue(yaml.text ?? ""), model, yaml.text);
  const back = convertSpec(createSourceText("spec.yml", yaml.text ?? ""), "yaml", "dsl");
  assert.equal(back.diagnostics, [], yaml.text);
  assert.equal(dslValue(back.text ?? ""), model, back.text);
}

const fixtureDirs = ["fixtures", "fixtures-source"].map((d) => join(repoRoot, "test", d)).filter(existsSync);
const fixtures = fixtureDirs.flatMap((d) => readdirSync(d).map((f) => join(d, f)));

test("every fixture: valid ones convert both ways without loss, others are refused with diagnostics", () => {
  let converted = 0;
  for (const dir of fixtures) {
    for (const [file, from] of [["spec.yml", "yaml"], ["spec.mcc", "dsl"]] as const) {
      const path = join(dir, file);
      if (!existsSync(path) || !statSync(path).isFile()) continue;
      const text = readFileSync(path, "utf8");
      const result = convertSpec(createSourceText(file, text), from, from === "yaml" ? "dsl" : "yaml");
      if (result.text === undefined) {
        assert.ok(result.diagnostics.length > 0, path);
        continue;
      }
      converted++;
      if (from === "yaml") yamlRoundTrip(text);
      else dslRoundTrip(text);
    }
  }
  for (const example of readdirSync(join(repoRoot, "examples")).filter((f) => /\.(yml|mcc)$/.test(f))) {
    const text = readFileSync(join(repoRoot, "examples", example), "utf8");
    if (example.endsWith(".yml")) yamlRoundTrip(text);
    else dslRoundTrip(text);
    converted++;
  }
  assert.ok(converted >= 16, `only ${converted} specs converted`);
});

/** The schema field paths (`files[].mode`, `output.path`) a value uses. */
function fieldPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => fieldPaths(item, `${prefix}[]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    return [path, ...fieldPaths(v, path)];
  });
}

test("every field of the schema, in each of its forms, has a DSL form: valid specs using them all convert both ways", () => {
  const specs = [join(repoRoot, "test", "fixtures", "valid-full", "spec.yml"), join(repoRoot, "test", "fixtures", "valid-sections", "spec.yml"), ...readdirSync(join(repoRoot, "examples")).filter((f) => f.endsWith(".yml")).map((f) => join(repoRoot, "examples", f))];
  const used = new Set<string>();
  for (const path of specs) {
    const text = readFileSync(path, "utf8");
    yamlRoundTrip(text);
    for (const p of fieldPaths(yamlValue(text))) used.add(p);
  }
  // `mounts.path` and `mounts[].path` name one field (the schema's list items); so do files'.
  const missing = fields()
    .map((f) => f.path)
    .filter((p) => !used.has(p) && !used.has(p.replace(/^(mounts|files)\./, "$1[].")));
  assert.equal(missing, []);
});

test("random valid specs: YAML -> DSL -> YAML keeps the model", () => {
  // printYaml, not the yaml library's stringify, so numeric modes are written in octal.
  fc.assert(fc.property(fc.oneof(validSpec, awkwardSpec), (doc) => yamlRoundTrip(printYaml(doc as Record<string, unknown>))), { numRuns: runs });
});

test("random valid specs: DSL -> YAML -> DSL keeps the model, and the printed DSL is canonical", () => {
  fc.assert(
    fc.property(fc.oneof(validSpec, awkwardSpec), (doc) => {
      const dsl = printDsl(doc as Record<string, unknown>);
      // Through JSON: fast-check's dictionaries may have no prototype, the parsed values do.
      assert.equal(dslValue(dsl), JSON.parse(JSON.stringify(doc)), dsl);
      dslRoundTrip(dsl);
      assert.is(formatDsl(createSourceText("spec.mcc", dsl)).text, dsl);
    }),
    { numRuns: runs },
  );
});

const bootSection = fc.record(
  {
    kernel: fc.constantFrom("linux-image-cloud-amd64", "linux-image-arm64"),
    cmdline: fc.string({ unit: "grapheme", maxLength: 12 }),
    console: fc.constantFrom("ttyS0", "ttyS0,115200", "true"),
    onExit: fc.constantFrom("poweroff", "restart", "reboot"),
  },
  { requiredKeys: [] },
);
const metadataSection = fc.record({ sbom: fc.oneof(fc.boolean(), fc.constant("true")), dpkgStatus: fc.boolean() }, { requiredKeys: [] });

test("boot and metadata (whose schema is on main): DSL and YAML spell the same value, both printers read back", () => {
  // Below validation: this branch's schema does not have the two sections yet.
  fc.assert(
    fc.property(awkwardSpec, bootSection, metadataSection, (doc, boot, metadata) => {
      const full = JSON.parse(JSON.stringify({ ...doc, boot, metadata })) as Record<string, unknown>;
      const dsl = printDsl(full);
      assert.equal(dslValue(dsl), full, dsl);
      assert.is(formatDsl(createSourceText("spec.mcc", dsl)).text, dsl);
      const yaml = printYaml(full);
      assert.equal(yamlValue(yaml), full, yaml);
    }),
    { numRuns: runs },
  );
});

function assertWellFormed(loaded: LoadedSpec, text: string): void {
  const lines = text.split("\n").length;
  if (loaded.spec !== undefined) return;
  assert.ok(loaded.diagnostics.length > 0, "neither a spec nor a diagnostic");
  for (const d of loaded.diagnostics) {
    assert.ok(d.code in DIAGNOSTICS, `unknown code ${d.code}`);
    assert.ok(d.line >= 1 && d.line <= lines + 1, `line ${d.line} outside 1..${lines + 1}`);
    assert.ok(d.col >= 1 && d.length >= 0, `col ${d.col} length ${d.length}`);
    assert.ok(d.message.length > 0 && !d.message.includes("Token") && !d.message.includes("-->"), `a raw parser message: ${d.message}`);
  }
}

const token = fc.oneof(
  fc.constantFrom(...KEYWORD_NAMES),
  fc.constantFrom("{", "}", "[", "]", "=", ";", "\n", "\n\n", "# c\n", '"s"', '"unclosed', '"\\q"', '"\\u{110000}"', "\\", "x=y"),
  fc.constantFrom("curl", "/usr/bin/curl", "0644", "0o755", "8080/tcp", "1000:1000", "debian/bookworm", "volume", "oci", "pakages", "relase"),
  fc.string({ maxLength: 4 }),
);

test("random token streams: diagnostics, never an exception", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(token, { maxLength: 40 }), fc.boolean(), async (tokens, framed) => {
      const body = tokens.join(" ");
      const text = framed ? `image a {\n${body}\n}\n` : body;
      assertWellFormed(await loadDsl(text), text);
    }),
    { numRuns: runs * 3 },
  );
});

test("random bytes: diagnostics, never an exception", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      assertWellFormed(await loadDsl(bytes), new TextDecoder().decode(bytes));
    }),
    { numRuns: runs },
  );
});

test("mutations of valid DSL specs: diagnostics or a spec; fmt, when it accepts one, is idempotent and keeps the model", async () => {
  const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 6 }), text: fc.string({ unit: fc.constantFrom(..."ab0 /{}[]=;#\"\\\n".split("")), maxLength: 5 }) });
  await fc.assert(
    fc.asyncProperty(fc.oneof(validSpec, awkwardSpec), fc.array(edit, { minLength: 1, maxLength: 3 }), async (doc, edits) => {
      let text = printDsl(doc as Record<string, unknown>);
      for (const e of edits) {
        const at = e.at % (text.length + 1);
        text = text.slice(0, at) + e.text + text.slice(at + e.cut);
      }
      assertWellFormed(await loadDsl(text), text);
      const once = formatDsl(createSourceText("spec.mcc", text)).text;
      if (once === undefined) return;
      assert.is(formatDsl(createSourceText("spec.mcc", once)).text, once, once);
      assert.equal(dslValue(once), dslValue(text), once);
    }),
    { numRuns: runs },
  );
});

test.run();
