// grammar/ follows the parser, its source of truth: the railroad diagrams are regenerated
// from it (and fail here when stale), the EBNF in grammar/README.md has exactly the parser's
// rules with the same terminals and sub-rules, and the TextMate grammar highlights every keyword.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderDslDiagrams } from "../src/parse/dsl-diagrams.js";
import { KEYWORD_NAMES, KEYWORDS } from "../src/parse/dsl-lexer.js";
import { dslParser } from "../src/parse/dsl-parser.js";
import { repoRoot } from "./helpers.js";

const grammarDir = join(repoRoot, "grammar");

test("grammar/diagrams.html is what the parser draws, and needs no network", () => {
  const chevrotain = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "..", "..");
  const fresh = renderDslDiagrams((path) => readFileSync(join(chevrotain, "diagrams", path), "utf8"));
  const path = join(grammarDir, "diagrams.html");
  if (process.env["UPDATE"] === "1") writeFileSync(path, fresh);
  assert.ok(readFileSync(path, "utf8") === fresh, "grammar/diagrams.html is stale: run npm run grammar");
  assert.not.match(fresh, /<script src=|<link rel=/);
  for (const rule of ["spec", "statement", "mountStatement", "fileField"]) assert.ok(fresh.includes(`"name": "${rule}"`), rule);
});

interface Gast {
  type: string;
  name?: string;
  definition?: Gast[];
}

/** The terminals and sub-rules a parser rule refers to, spelt as the EBNF spells them. */
function references(node: Gast, out = new Set<string>()): Set<string> {
  const spell: Record<string, string> = { Sep: "sep", Value: "value", Bare: "word", LBrace: '"{"', RBrace: '"}"', LBracket: '"["', RBracket: '"]"', Equals: '"="' };
  if (node.type === "Terminal" && node.name !== undefined) {
    const keyword = KEYWORD_NAMES.find((k) => KEYWORDS[k].name === node.name);
    out.add(keyword !== undefined ? `"${keyword}"` : (spell[node.name] ?? node.name));
  }
  if (node.type === "NonTerminal" && node.name !== undefined) out.add(node.name);
  for (const child of node.definition ?? []) references(child, out);
  return out;
}

test("the EBNF in grammar/README.md has the parser's rules, each with the same terminals and sub-rules", () => {
  const readme = readFileSync(join(grammarDir, "README.md"), "utf8");
  const syntax = /### Syntax\n\n```ebnf\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(syntax, "no ### Syntax ebnf block");
  const ebnf = new Map<string, Set<string>>();
  for (const [, name, body] of syntax.replace(/\(\*[\s\S]*?\*\)/g, "").matchAll(/(\w+)\s*=([^;]*);/g)) {
    const refs = new Set([...(body ?? "").matchAll(/"[^"]*"|\b[A-Za-z]\w*\b/g)].map((m) => m[0]));
    ebnf.set(name ?? "", refs);
  }
  const rules = dslParser().getSerializedGastProductions() as unknown as Gast[];
  assert.equal([...ebnf.keys()].sort(), rules.map((r) => r.name ?? "").sort());
  for (const rule of rules) {
    assert.equal([...(ebnf.get(rule.name ?? "") ?? [])].sort(), [...references(rule)].sort(), `rule ${rule.name}`);
  }
  for (const keyword of KEYWORD_NAMES) assert.ok(syntax.includes(`"${keyword}"`), keyword);
});

interface TmRule {
  name?: string;
  match?: string;
  begin?: string;
  captures?: Record<string, { name: string }>;
  patterns?: TmRule[];
}

const tm = JSON.parse(readFileSync(join(grammarDir, "mcc.tmLanguage.json"), "utf8")) as {
  scopeName: string;
  fileTypes: string[];
  patterns: { include: string }[];
  repository: Record<string, TmRule>;
};

/** The keyword scopes the TextMate grammar gives to the words of one line. */
function keywordsIn(line: string): string[] {
  const found: string[] = [];
  for (const rule of Object.values(tm.repository)) {
    if (rule.match === undefined || rule.captures === undefined) continue;
    // A TextMate grammar applies its rules along the whole line.
    for (const m of line.matchAll(new RegExp(rule.match, "g"))) {
      for (const [group, capture] of Object.entries(rule.captures)) {
        if (capture.name.startsWith("keyword.") && m[Number(group)] !== undefined) found.push(m[Number(group)] as string);
      }
    }
  }
  return found;
}

test("grammar/mcc.tmLanguage.json: scopes for comments, strings and keywords, every keyword highlighted", () => {
  assert.is(tm.scopeName, "source.mcc");
  assert.equal(tm.fileTypes, ["mcc"]);
  const included = tm.patterns.map((p) => p.include.slice(1));
  for (const name of included) assert.ok(tm.repository[name], `#${name} is not in the repository`);
  const scopes = JSON.stringify(tm.repository);
  for (const scope of ["comment.line.number-sign.mcc", "string.quoted.double.mcc", "constant.character.escape.mcc", "keyword.other.statement.mcc"]) {
    assert.ok(scopes.includes(scope), scope);
  }
  for (const keyword of KEYWORD_NAMES) {
    const line = keyword === "image" ? "image curl {" : ["source", "content", "mode"].includes(keyword) ? `  file /x ${keyword} y` : `  ${keyword} x`;
    assert.ok(keywordsIn(line).includes(keyword), `${keyword} is not highlighted in ${JSON.stringify(line)}`);
  }
  assert.equal(keywordsIn("  user { name www; uid 1000 }"), ["user", "name", "uid"]);
  assert.equal(keywordsIn("  packages file user"), ["packages"]);
  assert.equal(keywordsIn("  packagesx curl"), []);
  assert.match("  # packages curl", new RegExp(tm.repository["comment"]?.match ?? "^$"));
  const escape = tm.repository["string"]?.patterns?.[0]?.match ?? "^$";
  assert.match('"a\\u{e9}"', new RegExp(escape));
});

test.run();
