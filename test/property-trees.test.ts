// Property test over real directories: a `files.source` tree made of what a careless or
// hostile repository holds (names that are not UTF-8 or hold control characters, links in,
// out, dangling and in loops, pipes, sparse giants) is either refused with diagnostics that
// carry a known code and a position, or accepted, and then read for the build without a
// crash and with only names an image can hold. Fixed seed; a few hundred trees.
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DIAGNOSTICS } from "../src/diagnostics/codes.js";
import { createNodeHost } from "../src/host/node-host.js";
import { nameProblem } from "../src/paths/names.js";
import { loadSpec } from "../src/pipeline/load-spec.js";
import { readSpecFiles } from "../src/steps/spec-files.js";

const runs = Number(process.env["MCC_PROPERTY_RUNS"] ?? 300);

/** A name's bytes: mostly plain, sometimes a byte that is not UTF-8, a newline, a tab, DEL, a UTF-8 letter. */
const nameBytes = fc
  .array(fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(..."abcxyz01_.-".split("").map((c) => [c.charCodeAt(0)])) },
    { weight: 1, arbitrary: fc.constantFrom([0xe9], [0xff], [0x0a], [0x09], [0x7f], [0x01], [0xc3, 0xa9], [0xe2, 0x82, 0xac]) },
  ), { minLength: 1, maxLength: 6 })
  .map((parts) => Buffer.from(parts.flat()))
  .filter((b) => b.toString("latin1") !== "." && b.toString("latin1") !== "..");

type Entry =
  | { kind: "file"; name: Buffer; executable: boolean }
  | { kind: "dir"; name: Buffer; children: Entry[] }
  | { kind: "link"; name: Buffer; target: string }
  | { kind: "loop"; name: Buffer }
  | { kind: "fifo"; name: Buffer }
  | { kind: "giant"; name: Buffer };

const linkTarget = fc.oneof(
  fc.constantFrom("a", "../a", "../../outside", "/etc/passwd", "self", "loop-b", ".", "..", "x\ny"),
  nameBytes.map((b) => b.toString("latin1")),
);

const entry: fc.Arbitrary<Entry> = fc.letrec<{ entry: Entry }>((tie) => ({
  entry: fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("file" as const), name: nameBytes, executable: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("dir" as const), name: nameBytes, children: fc.array(tie("entry"), { maxLength: 3, depthIdentifier: "tree" }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("link" as const), name: nameBytes, target: linkTarget }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("loop" as const), name: nameBytes }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fifo" as const), name: nameBytes }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("giant" as const), name: nameBytes }) },
  ),
})).entry;

function materialize(dir: Buffer, entries: readonly Entry[], pipes: string): void {
  const taken = new Set<string>();
  for (const e of entries) {
    const names = e.kind === "loop" ? [e.name, Buffer.concat([e.name, Buffer.from("-a")]), Buffer.concat([e.name, Buffer.from("-b")])] : [e.name];
    if (names.some((n) => taken.has(n.toString("hex")))) continue;
    for (const n of names) taken.add(n.toString("hex"));
    const path = Buffer.concat([dir, Buffer.from("/"), e.name]);
    switch (e.kind) {
      case "file":
        writeFileSync(path, "content\n", { mode: e.executable ? 0o755 : 0o644 });
        break;
      case "dir":
        mkdirSync(path);
        materialize(path, e.children, pipes);
        break;
      case "link":
        symlinkSync(Buffer.from(e.target, "latin1"), path);
        break;
      case "loop": // a link to itself, and a pair that point at each other
        symlinkSync(e.name, path);
        symlinkSync(Buffer.concat([e.name, Buffer.from("-b")]), Buffer.concat([path, Buffer.from("-a")]));
        symlinkSync(Buffer.concat([e.name, Buffer.from("-a")]), Buffer.concat([path, Buffer.from("-b")]));
        break;
      case "fifo":
        // A raw name cannot ride in argv: make the pipe under a plain name and rename it.
        execFileSync("mkfifo", [join(pipes, "p")]);
        renameSync(join(pipes, "p"), path);
        break;
      case "giant":
        closeSync(openSync(path, "w"));
        truncateSync(path, 2 ** 31 + 1);
        break;
    }
  }
}

test("any tree under files.source gives diagnostics or a build input with image-safe names, never a crash (fixed seed)", async () => {
  const host = createNodeHost();
  let refused = 0;
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 6 }), fc.boolean(), async (entries, withExclude) => {
      const root = mkdtempSync(join(tmpdir(), "mcc-tree-property-"));
      try {
        mkdirSync(join(root, "app"));
        materialize(Buffer.from(join(root, "app")), entries, root);
        const exclude = withExclude ? ", exclude: ['*x*']" : "";
        const text = `name: hello\npackages: [hello]\nexecutable: /usr/bin/hello\nfiles:\n  - {path: /app, source: app${exclude}}\n`;
        writeFileSync(join(root, "spec.yml"), text);
        const loaded = await loadSpec(host, join(root, "spec.yml"), { defaultArch: "amd64" });
        if (loaded.spec === undefined) {
          refused++;
          assert.ok(loaded.diagnostics.length > 0, "neither a spec nor a diagnostic");
          for (const d of loaded.diagnostics) {
            assert.ok(d.code in DIAGNOSTICS, `unknown code ${d.code}`);
            assert.is(d.line, 5, `diagnostic ${d.code} not on the files entry's line`);
            assert.not.match(d.message, /[\u0000-\u001f\u007f]/, "a message holds a raw control character");
          }
          return;
        }
        accepted++;
        const read = await readSpecFiles(host, loaded.spec, join(root, "spec.yml"));
        for (const f of [...read.entries.files, ...read.entries.links, ...read.entries.dirs]) {
          assert.is(nameProblem(f.path), undefined, `an image path that breaks the name rule: ${JSON.stringify(f.path)}`);
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }),
    { numRuns: runs, seed: 20261202 },
  );
  // The generator must reach both sides, or the property says little.
  assert.ok(refused > 0 && accepted > 0, `refused ${refused}, accepted ${accepted}`);
});

test.run();
