import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseParagraphs } from "../../src/debian/deb822.js";
import { formatRelation, parseRelations } from "../../src/debian/relations.js";

test("paragraphs, continuation lines, case-insensitive names", () => {
  const text = "Package: a\nVersion: 1\nDescription: short\n long\n .\n more\n\n\nPACKAGE: b\r\nDepends: x\n";
  const ps = parseParagraphs(text);
  assert.is(ps.length, 2);
  assert.is(ps[0]?.get("description"), "short\nlong\n.\nmore");
  assert.is(ps[1]?.get("package"), "b");
  assert.is(ps[1]?.get("depends"), "x");
});

test("relationship fields", () => {
  const groups = parseRelations("libc6 (>= 2.34), libssl3 (>= 3.0.0) | libssl1.1, python3:any, foo (<< 2~), bar (> 1)");
  assert.equal(groups.map((g) => g.map(formatRelation)), [
    ["libc6 (>= 2.34)"],
    ["libssl3 (>= 3.0.0)", "libssl1.1"],
    ["python3:any"],
    ["foo (<< 2~)"],
    ["bar (>= 1)"],
  ]);
  assert.equal(parseRelations(""), []);
  assert.equal(parseRelations(undefined), []);
  assert.equal(parseRelations("debconf (>= 0.5) | debconf-2.0").map((g) => g.length), [2]);
});

test.run();
