import { createSyntaxDiagramsCode } from "chevrotain";
import { dslParser } from "./dsl-parser.js";

/** The files of chevrotain's diagrams/ folder the page needs, by their path in that folder. */
export const DIAGRAM_ASSETS = ["diagrams.css", "vendor/railroad-diagrams.js", "src/diagrams_builder.js", "src/diagrams_behavior.js", "src/main.js"] as const;

const PLACEHOLDER = "mcc-inline:";

/**
 * The railroad diagrams of the DSL's grammar, drawn from the parser itself, as one HTML page
 * that works offline: chevrotain's page loads its scripts and stylesheet from a CDN, so they
 * are inlined here from the installed chevrotain (`readAsset` gives a file of its diagrams/
 * folder). grammar/generate.mjs writes grammar/diagrams.html; a test fails when it is stale.
 */
export function renderDslDiagrams(readAsset: (path: (typeof DIAGRAM_ASSETS)[number]) => string): string {
  const grammar = dslParser().getSerializedGastProductions();
  let html = createSyntaxDiagramsCode(grammar, { resourceBase: PLACEHOLDER, css: `${PLACEHOLDER}diagrams.css` });
  html = html.replace(`<link rel='stylesheet' href='${PLACEHOLDER}diagrams.css'>`, () => `<style>\n${readAsset("diagrams.css")}\n</style>`);
  for (const asset of DIAGRAM_ASSETS.filter((a) => a.endsWith(".js"))) {
    // A function replacement, so `$&` and friends in the scripts are left alone.
    html = html.replace(`<script src='${PLACEHOLDER}${asset}'></script>`, () => `<script>\n${readAsset(asset)}\n</script>`);
  }
  html = html.replace("<!-- This is a generated file -->", "<!-- Generated from src/parse/dsl-parser.ts by grammar/generate.mjs; do not edit. -->\n<title>The mcc DSL: railroad diagrams</title>");
  return html.replace(/[ \t]+$/gm, "");
}
