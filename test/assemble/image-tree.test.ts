// The image tree is the one sanitised tree every output is written from: an entry that lies
// under a symlink of the image (a package's `x -> /elsewhere` and `x/pwned`) is left out and
// said, so no layer or root file system holds both, whatever writes or extracts it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildImageTree, type AssembleSpec } from "../../src/assemble/image-tree.js";
import { explainPath } from "../../src/provenance/explain.js";
import type { KeptFile, TraceResult } from "../../src/trace/trace.js";
import { VirtualRoot } from "../../src/trace/vroot.js";

const spec: AssembleSpec = { user: { name: "app", uid: 1000, gid: 1000 }, workdir: "/", mounts: [], files: [] };
const include = { kind: "include", glob: "/usr/share/x/**" } as const;

function kept(entries: KeptFile["node"][]): TraceResult {
  return { kept: new Map(entries.map((node) => [node.path, { node, reasons: [include] }])), generated: new Map(), problems: [], unmatched: [], inert: [], startup: [], missingImports: [] };
}

test("entries under a symlink of the image are left out, named with their package and the link", () => {
  const tree = buildImageTree(
    spec,
    kept([
      { kind: "symlink", path: "/usr/share/x/link", target: "/elsewhere", pkg: "evil" },
      { kind: "file", path: "/usr/share/x/link/pwned", mode: 0o644, size: 3, sha256: "a".repeat(64), pkg: "evil" },
      { kind: "file", path: "/usr/share/x/link/deeper/more", mode: 0o644, size: 3, sha256: "b".repeat(64), pkg: "other" },
      { kind: "file", path: "/usr/share/x/fine", mode: 0o644, size: 3, sha256: "c".repeat(64), pkg: "evil" },
    ]),
  );
  const paths = tree.entries.map((e) => e.path);
  assert.ok(paths.includes("/usr/share/x/link") && paths.includes("/usr/share/x/fine"));
  assert.not.ok(paths.some((p) => p.startsWith("/usr/share/x/link/")), paths.join("\n"));
  assert.equal(tree.dropped, [
    { path: "/usr/share/x/link/deeper/more", pkg: "other", under: "/usr/share/x/link" },
    { path: "/usr/share/x/link/pwned", pkg: "evil", under: "/usr/share/x/link" },
  ]);
  assert.not.ok(tree.reasons.has("/usr/share/x/link/pwned"));
  // No entry of the tree has a symlink of the tree above it.
  const links = new Set(tree.entries.filter((e) => e.kind === "symlink").map((e) => e.path));
  for (const p of paths) for (const l of links) assert.not.ok(p.startsWith(`${l}/`), `${p} under ${l}`);
  // mcc why says why it is not there.
  const [line] = explainPath(tree, new VirtualRoot([]), "/usr/share/x/link/pwned");
  assert.match(line ?? "", /is not in the image: package evil has it under \/usr\/share\/x\/link, which is a symlink in the image/);
});

test("a tree without such entries says nothing was dropped", () => {
  const tree = buildImageTree(spec, kept([{ kind: "file", path: "/usr/bin/x", mode: 0o755, size: 1, sha256: "d".repeat(64), pkg: "x" }]));
  assert.is(tree.dropped, undefined);
});

test.run();
