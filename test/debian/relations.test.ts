// relationNames reads names without making relations: it must give what the parser gives, for
// the plain shapes it reads itself and for everything it hands on.
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRelations, relationNames } from "../../src/debian/relations.js";

const byParser = (field: string) => parseRelations(field).flatMap((g) => g.map((r) => r.name));

test("the same names as the parser on fields from real indexes and their near misses", () => {
  const fields = [
    "", " ", "a", "a, b", "libc6 (= 2.36-9+deb12u7)", "mail-transport-agent, x-terminal-emulator",
    "python3-foo (= 1.0), python3.11-foo", "awk | mawk", "a (>= 1)", "a (<< 2:1.0~rc1)", "a (<1)", "a (>1)",
    "a(=1)", "a ( = 1 )", "\ta\t(=\t1\t)\t", "a (= )", "a (1)", "a (= 1) b", "a:any", "a:any (= 1)", "a [amd64]",
    "a <!nocheck>", "A", "-a", "a (= 1)) ", "a (== 1)", "a (<> 1)", "a (<>1)", "a,, b", "a (= 1\u00a0)", "a (= 1\u00a02)", "\u00a0a",
    "a\n b", "a (= 1.0\u00e9)", "a (=(1)", "a ( = 1", "a (= 1) , b (>= 2) | c",
  ];
  for (const field of fields) assert.equal(relationNames(field), byParser(field), JSON.stringify(field));
});

test("the same names as the parser on random fields", () => {
  const piece = fc.constantFrom("a", "b0", "lib+x", "c.d-e", "Z", ":", ":any", " ", "\t", "\n", "(", ")", "=", "<", ">", "<<", ">=", "1.0", "2:1~rc", ",", "|", "[amd64]", "<!x>", "\u00a0", "\u00e9", "!");
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
      const field = parts.join("");
      assert.equal(relationNames(field), byParser(field), JSON.stringify(field));
    }),
    { numRuns: 20000, seed: 20261204 },
  );
});

test.run();
