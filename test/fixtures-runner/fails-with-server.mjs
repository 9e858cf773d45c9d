// A test that starts a server, never stops it, and fails: the run must still end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startServerChild } from "./common.mjs";

test("a passing test first", () => assert.ok(true));

test("a server started and never stopped, then a failure", async () => {
  await startServerChild();
  assert.is(1 + 1, 3, "the deliberate failure");
});

test.run();
