// `--mount PATH=DIR` (mcc run) and `--config PATH=DIR` (mcc kube, mcc compose), read by one rule:
// an absolute path in the image, then a directory of this machine, relative to the current one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bindsOf } from "../../src/cli/commands/common.js";
import type { CliIo } from "../../src/cli/io.js";

function io(): { io: CliIo; errors: string[] } {
  const errors: string[] = [];
  return { io: { cwd: "/work/project", stderr: (text: string) => errors.push(text) } as unknown as CliIo, errors };
}

test("each PATH=DIR maps the image's path to a directory, relative ones from the current directory", () => {
  const { io: cli, errors } = io();
  const binds = bindsOf("--mount", ["/var/lib/app=data", "/etc/app=/srv/conf", "/x=a=b"], "the mount's path in the image", cli);
  assert.equal(binds && [...binds], [
    ["/var/lib/app", "/work/project/data"],
    ["/etc/app", "/srv/conf"],
    ["/x", "/work/project/a=b"],
  ]);
  assert.equal(errors, []);
});

test("a value without a path, without '=', or with a relative path in the image is refused, naming the option", () => {
  for (const bad of ["=dir", "/etc/app", "etc/app=dir"]) {
    const { io: cli, errors } = io();
    assert.is(bindsOf("--config", ["/ok=dir", bad], "a config mount's path in the image", cli), undefined, bad);
    assert.equal(errors, [`mcc: error: --config ${bad}: give PATH=DIR, a config mount's path in the image and a directory of this machine\n`]);
  }
});

test.run();
