#!/usr/bin/env node
// Writes grammar/diagrams.html, the railroad diagrams of the .mcc grammar, from the parser
// (build first: `npm run build`). `--check` only compares, and fails when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { renderDslDiagrams } = await import(join(root, "dist", "src", "parse", "dsl-diagrams.js"));
// chevrotain exports no package.json; its entry point is lib/src/api.js.
const chevrotain = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "..");
const html = renderDslDiagrams((path) => readFileSync(join(chevrotain, "diagrams", path), "utf8"));
const target = join(root, "grammar", "diagrams.html");
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== html) {
    console.error("grammar/diagrams.html is stale: run npm run grammar");
    process.exit(1);
  }
} else {
  writeFileSync(target, html);
}
