// Property tests: whatever the input, the front end answers with a valid spec or with
// diagnostics that carry a known code and a real position, and never crashes.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { DIAGNOSTICS } from "../src/diagnostics/codes.js";
import type { LoadedSpec } from "../src/pipeline/load-spec.js";
import { loadText } from "./helpers.js";
import { validSpec } from "./support/arbitraries.js";

const runs = Number(process.env["MCC_PROPERTY_RUNS"] ?? 300);

function assertWellFormed(loaded: LoadedSpec, text: string): void {
  const lines = text.split("\n").length;
  if (loaded.spec !== undefined) {
    assert.is(loaded.diagnostics.filter((d) => d.severity === "error").length, 0);
    return;
  }
  assert.ok(loaded.diagnostics.length > 0, "neither a spec nor a diagnostic");
  for (const d of loaded.diagnostics) {
    assert.ok(d.code in DIAGNOSTICS, `unknown code ${d.code}`);
    assert.ok(d.line >= 1 && d.line <= lines + 1, `line ${d.line} outside 1..${lines + 1}`);
    assert.ok(d.col >= 1 && d.length >= 0, `col ${d.col} length ${d.length}`);
    assert.ok(d.message.length > 0, "empty message");
  }
}

test("random valid specs are accepted, with their values kept", async () => {
  await fc.assert(
    fc.asyncProperty(validSpec, async (doc) => {
      const text = stringify(doc);
      const loaded = await loadText(text);
      assert.equal(loaded.diagnostics, [], text);
      assert.is(loaded.spec?.name, doc.name);
      assert.equal(loaded.spec?.packages.length, doc.packages.length);
      assert.is(loaded.spec?.executable, doc.executable);
    }),
    { numRuns: runs },
  );
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.string({ unit: fc.constantFrom(..."abc019 :-[]{}&*!|>'\"#\t\n,?%@`\\/~".split("")), maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant("duplicate-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap-lines" as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -2, max: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const line = (n: number) => n % Math.max(1, lines.length);
  switch (m.kind) {
    case "delete": {
      const at = m.at % Math.max(1, text.length);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "duplicate-line":
      lines.splice(line(m.at), 0, lines[line(m.at)] ?? "");
      return lines.join("\n");
    case "swap-lines": {
      const a = line(m.at);
      const b = line(m.with);
      [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
      return lines.join("\n");
    }
    case "indent": {
      const i = line(m.at);
      const l = lines[i] ?? "";
      lines[i] = m.by >= 0 ? " ".repeat(m.by) + l : l.replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    }
  }
}

test("mutations of valid specs give a spec or positioned diagnostics, never a crash", async () => {
  await fc.assert(
    fc.asyncProperty(validSpec, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (doc, mutations) => {
      const text = mutations.reduce(mutate, stringify(doc));
      assertWellFormed(await loadText(text), text);
    }),
    { numRuns: runs },
  );
});

test("any JSON-like value as a spec gives a spec or diagnostics", async () => {
  await fc.assert(
    fc.asyncProperty(fc.anything({ maxDepth: 3, withNullPrototype: false }), async (value) => {
      let text: string | undefined;
      try {
        text = stringify(value) as string | undefined;
      } catch {
        return; // not representable in YAML at all
      }
      if (text === undefined) return;
      assertWellFormed(await loadText(text), text);
    }),
    { numRuns: runs },
  );
});

test("random bytes give diagnostics, never a crash", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      const loaded = await loadText(bytes);
      assertWellFormed(loaded, new TextDecoder().decode(bytes));
    }),
    { numRuns: runs },
  );
});

/** Pieces of hostile specs: deep nesting, aliases to their own containers, control characters, large numbers, long strings. */
const hostileValue: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 3000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 1, max: 3000 }).map((n) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`),
  fc.constantFrom("&a [*a]", "&a {k: *a}", "&a [x, [y, *a]]", "*undefined", "&a &b x"),
  fc.string({ unit: fc.constantFrom("\\0", "\\n", "\\t", "\\x7f", "\\u001b", "/", "a", ".", "*"), maxLength: 12 }).map((s) => `"${s}"`),
  fc.constantFrom("99999999999999999999999", "-1", "0x7fffffff", "1e400", ".nan", "0999", "0"),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => `"${"x".repeat(n)}"`),
);
const hostileField = fc.constantFrom("name", "packages", "executable", "args", "include", "exclude", "user", "workdir", "mounts", "files", "output", "env", "ports", "labels", "from");

test("hostile specs (nesting, self-aliases, control characters, huge values) give diagnostics, never a crash (fixed seed)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(hostileField, hostileValue), { minLength: 1, maxLength: 4 }), async (fields) => {
      const text = ["name: hello", "packages: [hello]", "executable: /usr/bin/hello", ...fields.map(([k, v]) => `${k}: ${v}`)].join("\n") + "\n";
      assertWellFormed(await loadText(text), text);
    }),
    { numRuns: runs, seed: 20261202 },
  );
});

test.run();
