#!/usr/bin/env node
// The test command (`npm test [NAME]`): install the Debian tools the tests drive when they are
// missing (as root), type-check and build, then run every test file (or those whose path
// matches NAME) one at a time, printing each file's result as it goes, and close with the
// plain line CI reads: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installMissingTools } from "./install-tools.mjs";
import { closingLine, findTestFiles, runTestFiles } from "./runner.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

// 0. The outside tools (test/tools.json), installed when missing and we are root.
installMissingTools();

// 1. Type-check and build (src and test) with the project's TypeScript.
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], {
  cwd: root,
  stdio: "inherit",
  timeout: 10 * 60 * 1000,
});
if (tsc.status !== 0) {
  console.log("the TypeScript build failed; no test was run");
  console.log(closingLine(0, 1, 0));
  process.exit(1);
}
// The CLI as users run it (dist/cli, executable), bundled from what was just built, as `npm run build` does.
const bundle = spawnSync(process.execPath, [join(root, "src", "cli", "bundle.mjs")], { cwd: root, stdio: "inherit", timeout: 5 * 60 * 1000 });
if (bundle.status !== 0) {
  console.log("bundling the CLI failed; no test was run");
  console.log(closingLine(0, 1, 0));
  process.exit(1);
}

// 2. Run the tests, file by file.
const only = process.argv[2];
const files = findTestFiles(join(root, "dist", "test"), only === undefined ? undefined : `(${only}).*\\.test\\.js$`);
if (files.length === 0) {
  console.log(`no test file matches ${only}`);
  console.log(closingLine(0, 1, 0));
  process.exit(1);
}
const { passed, failed, skipped } = await runTestFiles(files);
console.log(closingLine(passed, failed, skipped));
process.exit(failed > 0 ? 1 : 0);
