// Golden diagnostics of builds against an archive (the real one or a test one): what mcc
// printed, compared with test/fixtures-source/NAME/diagnostics.txt, which docs/diagnostics.md
// takes its examples from. UPDATE=1 rewrites the file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";

export function assertSourceGolden(name: string, actual: string): void {
  const file = join(repoRoot, "test", "fixtures-source", name, "diagnostics.txt");
  if (process.env["UPDATE"] === "1") {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, actual);
  }
  assert.fixture(actual, readFileSync(file, "utf8"), file);
}
