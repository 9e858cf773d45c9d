// The floors of src/ as docs/architecture.md draws them (its `floors` block): a folder imports
// only from its own floor or the floors below, and the folders of one floor import each other
// without a cycle. A new folder must be given a floor there. Static imports, `export ... from`
// and dynamic `import()` all count: a lazily loaded module is still a dependency.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "./helpers.js";

/** folder (or top-level module without its extension) -> floor number, from the doc. */
function floors(): Map<string, number> {
  const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
  const block = /```floors\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, "docs/architecture.md has a ```floors block");
  const map = new Map<string, number>();
  for (const line of (block[1] ?? "").split("\n")) {
    const m = /^(\d+)\s+(.+)$/.exec(line.trim());
    if (m === null) continue;
    for (const folder of (m[2] ?? "").replace(/\s+[-—].*$/, "").split(/\s+/)) map.set(folder, Number(m[1]));
  }
  return map;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const p = posix.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** `src/a/b.ts` -> `a`; `src/version.ts` -> `version`. */
const folderOf = (file: string) => {
  const parts = file.split("/").slice(1);
  return parts.length === 1 ? (parts[0] ?? "").replace(/\.ts$/, "") : (parts[0] ?? "");
};

interface Import {
  readonly from: string;
  readonly to: string;
}

function imports(): Import[] {
  const found: Import[] = [];
  for (const file of sourceFiles("src")) {
    const text = readFileSync(join(repoRoot, file), "utf8");
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)"(\.{1,2}\/[^"]+)"/g)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1] ?? ""));
      if (!target.startsWith("src/")) continue;
      found.push({ from: file, to: target.replace(/\.js$/, ".ts") });
    }
  }
  return found;
}

test("every folder of src/ has a floor in docs/architecture.md", () => {
  const table = floors();
  const folders = [...new Set(sourceFiles("src").map(folderOf))].sort();
  assert.equal(
    folders.filter((f) => !table.has(f)),
    [],
    "folders without a floor: add them to the floors block of docs/architecture.md",
  );
  assert.equal(
    [...table.keys()].filter((f) => !folders.includes(f)),
    [],
    "floors naming a folder that is gone",
  );
});

test("no import runs up a floor", () => {
  const table = floors();
  const upward = imports()
    .filter((i) => (table.get(folderOf(i.to)) ?? 0) > (table.get(folderOf(i.from)) ?? 0))
    .map((i) => `${i.from} (floor ${table.get(folderOf(i.from))}) imports ${i.to} (floor ${table.get(folderOf(i.to))})`);
  assert.equal(upward, []);
});

test("the folders of one floor import each other without a cycle", () => {
  const table = floors();
  const edges = new Map<string, Set<string>>();
  for (const i of imports()) {
    const a = folderOf(i.from);
    const b = folderOf(i.to);
    if (a === b || table.get(a) !== table.get(b)) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)?.add(b);
  }
  // Depth-first search for a back edge; the cycle found is reported as a path.
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    state.set(node, "open");
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), node, next].join(" -> "));
      else if (state.get(next) === undefined) visit(next, [...path, node]);
    }
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (state.get(node) === undefined) visit(node, []);
  assert.equal(cycles, []);
});

test.run();
