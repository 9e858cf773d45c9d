// The CLI users run (the bundle, which carries its build's identity) keeps a spec's parse and
// validation in the cache: a second `mcc plan` of the same text gives the same plan without
// loading the YAML parser or the DSL's (checked with a module-resolution hook in a child, by
// the sources each loaded chunk names); a changed text is parsed again.
import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";

const work = mkdtempSync(join(tmpdir(), "mcc-memo-cli-"));
const cache = join(work, "cache");
for (const f of ["curl.yml", "curl.mcc", "curl.lock.json"]) copyFileSync(join(repoRoot, "examples", f), join(work, f));

const hooks = join(work, "hooks.mjs");
writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith("file:")) process.stderr.write("loaded " + result.url + "\\n");
  return result;
}\n`);
const register = join(work, "register.mjs");
writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

/** `mcc plan --json SPEC` offline against the lock; its plan and the dependencies its loaded chunks hold. */
function plan(spec: string): { plan: string; holds: Set<string> } {
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, join(repoRoot, "dist", "cli", "main.js"), "plan", "--json", "--offline", "--cache", cache, spec], { cwd: work, encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const holds = new Set<string>();
  for (const line of r.stderr.split("\n")) {
    if (!line.startsWith("loaded ")) continue;
    for (const m of readFileSync(fileURLToPath(line.slice(7)), "utf8").matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) holds.add(m[1] ?? "");
  }
  return { plan: r.stdout, holds };
}

test("a YAML spec: the second plan loads no YAML parser and gives the same plan; a changed text is parsed again", () => {
  const first = plan("curl.yml");
  assert.ok(first.holds.has("yaml"), [...first.holds].join(" "));
  const second = plan("curl.yml");
  assert.not.ok(second.holds.has("yaml"), [...second.holds].join(" "));
  assert.ok(second.holds.has("commander"), "the hook sees the bundle's chunks");
  assert.is(second.plan, first.plan);

  appendFileSync(join(work, "curl.yml"), "# changed\n");
  const changed = plan("curl.yml");
  assert.ok(changed.holds.has("yaml"));
  assert.is(changed.plan, first.plan, "a comment changes nothing in the plan");
});

test("a .mcc spec: the second plan loads no Chevrotain", () => {
  const first = plan("curl.mcc");
  assert.ok(first.holds.has("chevrotain"), [...first.holds].join(" "));
  const second = plan("curl.mcc");
  assert.not.ok(second.holds.has("chevrotain"), [...second.holds].join(" "));
  assert.is(second.plan, first.plan);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
