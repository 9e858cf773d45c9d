// docs/dsl.md is checked against the language it documents: every keyword is described, and
// every example in it is a .mcc spec that parses without a diagnostic (the larger one is the
// example file itself, as it stands).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSourceText } from "../src/types/source-text.js";
import { KEYWORD_NAMES } from "../src/parse/dsl-lexer.js";
import { parseDslSpec } from "../src/parse/parse-dsl.js";
import { repoRoot } from "./helpers.js";

const doc = readFileSync(join(repoRoot, "docs", "dsl.md"), "utf8");
const blocks = [...doc.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

test("docs/dsl.md names every keyword", () => {
  for (const keyword of KEYWORD_NAMES) assert.ok(new RegExp(`\`${keyword}[ \`]`).test(doc), keyword);
});

test("the spec examples of docs/dsl.md parse without a diagnostic", () => {
  const specs = blocks.filter((b) => /^(#.*\n)*image /.test(b));
  assert.ok(specs.length >= 2);
  for (const text of specs) assert.equal(parseDslSpec(createSourceText("doc.mcc", text)).diagnostics, [], text);
  // Fragments (statements alone) parse inside an image block.
  for (const text of blocks.filter((b) => /^(from|packages|file|output|boot) /.test(b))) {
    assert.equal(parseDslSpec(createSourceText("doc.mcc", `image a {\n${text}}\n`)).diagnostics, [], text);
  }
});

test("the larger example of docs/dsl.md is examples/busybox-httpd.mcc", () => {
  const example = readFileSync(join(repoRoot, "examples", "busybox-httpd.mcc"), "utf8");
  assert.ok(blocks.includes(example));
});

test.run();
