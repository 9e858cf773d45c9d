// Chevrotain's import costs more than a warm rebuild, so only .mcc specs load it: a YAML
// spec's validate, plan or compile must not. Checked with a module-resolution hook in a child.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "mcc-lazy-"));

/** Runs `mcc validate FILE` in a child and lists the packages it loaded from node_modules. */
function packagesLoaded(file: string): string[] {
  const hooks = join(work, "hooks.mjs");
  writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(result.url);
  if (m) process.stderr.write("loaded " + m[1] + "\\n");
  return result;
}\n`);
  const register = join(work, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, join(repoRoot, "dist", "src", "cli", "main.js"), "validate", file], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return [...new Set(r.stderr.split("\n").filter((l) => l.startsWith("loaded ")).map((l) => l.slice(7)))].sort();
}

test("validating a YAML spec does not load chevrotain; a .mcc spec does", () => {
  const yaml = packagesLoaded(join(repoRoot, "examples", "curl.yml"));
  assert.ok(yaml.includes("yaml"), yaml.join(" "));
  assert.not.ok(yaml.includes("chevrotain"), yaml.join(" "));
  assert.ok(packagesLoaded(join(repoRoot, "examples", "curl.mcc")).includes("chevrotain"));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
