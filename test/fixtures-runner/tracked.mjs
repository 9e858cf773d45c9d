// A passing test that leaves a server it registered (as the test helpers do): the harness
// stops it after the tests, says so, and the file passes.
import { createServer } from "node:http";
import { test } from "uvu";
import { trackServer } from "../../dist/test/support/children.js";

test("a registered server left running", async () => {
  const server = trackServer(createServer((_, res) => res.end("up")), "a registered http server");
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
});

test.run();
