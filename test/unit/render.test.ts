import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import { createSourceText, positionAt } from "../../src/types/source-text.js";
import { loadText, minimalSpec } from "../helpers.js";

test("offsets map to 1-based lines and columns", () => {
  const source = createSourceText("f", "ab\ncd\n\nx");
  assert.equal(positionAt(source, 0), { line: 1, col: 1 });
  assert.equal(positionAt(source, 3), { line: 2, col: 1 });
  assert.equal(positionAt(source, 4), { line: 2, col: 2 });
  assert.equal(positionAt(source, 6), { line: 3, col: 1 });
  assert.equal(positionAt(source, 7), { line: 4, col: 1 });
});

test("on a TTY the offending line is shown and underlined", async () => {
  const loaded = await loadText(minimalSpec("workdir: write/here\n"));
  const d = loaded.diagnostics[0];
  assert.ok(d);
  const out = renderDiagnostic(d, loaded.source, { excerpt: true, color: false });
  assert.is(
    out,
    [
      `/repo/spec.yml:4:10: error MCC300: workdir must be an absolute path (starting with '/'), not "write/here"`,
      `4 | workdir: write/here`,
      `  |          ^${"~".repeat(9)}`,
    ].join("\n"),
  );
});

test("hints follow as a note off a TTY and as a hint on one", async () => {
  const loaded = await loadText(minimalSpec("env: {PORT: 8080}\n"));
  const d = loaded.diagnostics[0];
  assert.ok(d);
  assert.is(
    renderDiagnostic(d, loaded.source, { excerpt: false, color: false }),
    `/repo/spec.yml:4:13: error MCC203: env.PORT must be a string, not a number (8080)\n/repo/spec.yml:4:13: note: quote it to make it a string: "8080"`,
  );
  const tty = renderDiagnostic(d, loaded.source, { excerpt: true, color: true });
  assert.match(tty, /\x1b\[31merror/);
  assert.match(tty, /hint\x1b\[39m: quote it/);
});

test.run();
