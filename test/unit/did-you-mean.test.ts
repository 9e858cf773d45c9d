import { test } from "uvu";
import * as assert from "uvu/assert";
import { didYouMean, editDistance } from "../../src/diagnostics/did-you-mean.js";

test("edit distance counts transpositions as one edit", () => {
  assert.is(editDistance("kitten", "sitting"), 3);
  assert.is(editDistance("ports", "prots"), 1);
  assert.is(editDistance("", "abc"), 3);
});

test("suggests only likely typos", () => {
  const fields = ["name", "packages", "executable", "mounts", "ports", "labels", "include", "exclude"];
  assert.is(didYouMean("pakages", fields), "packages");
  assert.is(didYouMean("Ports", fields), "ports");
  assert.is(didYouMean("excutable", fields), "executable");
  assert.is(didYouMean("colour", fields), undefined);
  assert.is(didYouMean("x", fields), undefined);
});

test.run();
