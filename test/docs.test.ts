// The documentation is checked against what it documents: docs/diagnostics.md is generated
// from the diagnostics table and the golden fixtures (UPDATE=1 npm test rewrites it),
// docs/spec.md names every field of the schema, and the README opens with the two commands.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DIAGNOSTICS, type DiagnosticCode } from "../src/diagnostics/codes.js";
import { repoRoot } from "./helpers.js";
import { fields } from "./schema-fields.js";

const RANGES: [string, string][] = [
  ["MCC0", "Reading the file"],
  ["MCC1", "Syntax: YAML, and the .mcc DSL (MCC120-MCC139)"],
  ["MCC2", "The schema: shape and types"],
  ["MCC3", "Meaning: paths, names, duplicates, files"],
  ["MCC4", "Resolving packages, lock files"],
  ["MCC5", "Tracing and building"],
  ["MCC6", "Minifying an image"],
];

/** For each code, the first line a golden fixture prints for it (and the fixture's name). */
function examples(): Map<string, { line: string; fixture: string }> {
  const out = new Map<string, { line: string; fixture: string }>();
  const roots = ["fixtures", "fixtures-source"].map((r) => join(repoRoot, "test", r)).filter((d) => existsSync(d));
  for (const [dir, fixture] of roots.flatMap((d) => readdirSync(d).sort().map((f) => [d, f] as const))) {
    const file = join(dir, fixture, "diagnostics.txt");
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    for (const [i, line] of lines.entries()) {
      const code = / (?:error|warning) (MCC\d{3}):/.exec(line)?.[1];
      if (code === undefined) continue;
      const preferred = fixture.startsWith(code.toLowerCase());
      if (out.has(code) && !(preferred && !out.get(code)?.fixture.includes(`/${code.toLowerCase()}`))) continue;
      const note = lines[i + 1]?.includes(": note: ") ? `\n${lines[i + 1]}` : "";
      out.set(code, { line: line + note, fixture: `test/${dir.split("/").pop()}/${fixture}` });
    }
  }
  return out;
}

function diagnosticsDoc(): string {
  const ex = examples();
  const parts = [
    "# Diagnostics",
    "",
    "<!-- Generated from src/diagnostics/codes.ts and the golden fixtures by test/docs.test.ts; do not edit. Regenerate: UPDATE=1 npm test -->",
    "",
    "Every problem mcc finds in a spec is reported as",
    "",
    "```",
    "file:line:col: error MCC###: message",
    "```",
    "",
    "pointing at the offending node (on a terminal, the line is shown with the node underlined),",
    "with a `note:` line after it when there is a hint. Codes are stable: a code never changes",
    "meaning, so scripts and searches may rely on it. `mcc validate --json` gives the same as data:",
    "`{code, severity, message, file, line, col, length, hint?}`.",
    "",
    "Exit codes: `0` no errors, `1` errors in the input, `2` a wrong command line, `3` a failure",
    "of the outside world (network, verification), `70` a bug in mcc.",
    "",
  ];
  for (const [prefix, heading] of RANGES) {
    parts.push(`## ${heading}`, "");
    for (const code of Object.keys(DIAGNOSTICS).filter((c) => c.startsWith(prefix)) as DiagnosticCode[]) {
      const def = DIAGNOSTICS[code];
      const e = ex.get(code);
      parts.push(`### ${code}: ${def.title}`, "", def.help, "");
      if (e !== undefined) parts.push(`Example (${e.fixture}):`, "", "```", e.line, "```", "");
    }
  }
  return parts.join("\n");
}

test("docs/diagnostics.md lists every code, with an example from the fixtures", () => {
  const path = join(repoRoot, "docs", "diagnostics.md");
  const fresh = diagnosticsDoc();
  if (process.env["UPDATE"] === "1") writeFileSync(path, fresh);
  assert.fixture(readFileSync(path, "utf8"), fresh, "docs/diagnostics.md is stale: run UPDATE=1 npm test");
  for (const code of Object.keys(DIAGNOSTICS)) assert.ok(fresh.includes(`### ${code}:`), code);
});

test("docs/spec.md documents every field of the schema", () => {
  const doc = readFileSync(join(repoRoot, "docs", "spec.md"), "utf8");
  for (const { path } of fields()) {
    const last = path.replace(/\[\]/g, "").split(".");
    const dotted = path.replace(/\[\]/g, "");
    const mentioned = doc.includes(`\`${dotted}\``) || doc.includes(`### \`${last[0]}\``) && doc.includes(`\`${last[last.length - 1]}\``);
    assert.ok(mentioned, `docs/spec.md does not mention ${path}`);
  }
});

test("the README opens with the two set-up commands", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? "").trim());
  assert.match(blocks[0] ?? "", /^npm ci && npx mcc (compile|validate) examples\/\S+\.yml( --format \S+)?$/);
  assert.is(blocks[1], "npm ci && npm test");
  const ci = readFileSync(join(repoRoot, ".ci", "run"), "utf8");
  assert.match(ci, /npm ci && npm test/);
});

test.run();
