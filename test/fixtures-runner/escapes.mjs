// A passing test whose server escaped its process group (setsid, as daemons do) and was
// let go: the runner must find it by its run token, kill it and hold it against the file.
import { test } from "uvu";
import { startServerChild } from "./common.mjs";

test("a daemon in its own session, let go", async () => {
  const child = await startServerChild({ detached: true });
  child.stdout.destroy();
  child.unref();
});

test.run();
