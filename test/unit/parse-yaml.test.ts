import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { loadSpec } from "../../src/pipeline/load-spec.js";
import { codes, loadText, minimalSpec, plainDiagnostics } from "../helpers.js";

test("a plain integer with a leading zero is octal, as chmod reads it", async () => {
  const loaded = await loadText(minimalSpec("files:\n  - {path: /etc/a, content: x, mode: 0755}\n  - {path: /etc/b, content: x, mode: 0o600}\n  - {path: /etc/c, content: x, mode: \"0640\"}\n"));
  assert.equal(loaded.diagnostics, []);
  assert.equal(loaded.spec?.files.map((f) => f.mode), [0o755, 0o600, 0o640]);
});

test("a decimal mode is refused as ambiguous", async () => {
  const loaded = await loadText(minimalSpec("files:\n  - {path: /etc/a, content: x, mode: 644}\n"));
  assert.equal(codes(loaded), ["MCC312"]);
});

test("aliases are followed, and positions point at what was written", async () => {
  const loaded = await loadText(minimalSpec("include: &globs [\"/usr/share/zoneinfo/**\"]\nexclude: *globs\n"));
  assert.equal(loaded.diagnostics, []);
  assert.equal(loaded.spec?.exclude, ["/usr/share/zoneinfo/**"]);
});

test("an alias bomb is refused in bounded time and memory", async () => {
  const levels = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  const loaded = await loadText(levels.join("\n") + "\n");
  assert.equal(codes(loaded), ["MCC103"]);
});

test("an alias to an undefined anchor is a syntax error", async () => {
  const loaded = await loadText(minimalSpec("args: *nothing\n"));
  assert.equal(codes(loaded), ["MCC100"]);
});

test("several YAML documents are refused", async () => {
  const loaded = await loadText(minimalSpec() + "---\nname: other\n");
  assert.equal(codes(loaded), ["MCC104"]);
  assert.is(loaded.diagnostics[0]?.line, 4);
});

test("tabs in indentation are named as such", async () => {
  const loaded = await loadText(minimalSpec("env:\n\tA: b\n"));
  assert.ok(codes(loaded).includes("MCC102"));
  assert.is(loaded.diagnostics.find((d) => d.code === "MCC102")?.line, 5);
});

test("a duplicate key names the line of the first", async () => {
  const loaded = await loadText(minimalSpec("name: again\n"));
  assert.is(plainDiagnostics(loaded), 'spec.yml:4:1: error MCC101: duplicate key "name" (first given on line 1)');
});

test("YAML tags outside the core schema are refused", async () => {
  const loaded = await loadText(minimalSpec("args: [!!binary aGk=]\n"));
  assert.equal(codes(loaded), ["MCC105"]);
});

test("empty files and files of only comments are empty specs", async () => {
  for (const text of ["", "\n\n", "# just a comment\n", "---\n"]) {
    const loaded = await loadText(text);
    assert.equal(codes(loaded), ["MCC006"], JSON.stringify(text));
  }
});

test("a list at the top level is refused as such", async () => {
  const loaded = await loadText("- name: hello\n");
  assert.is(plainDiagnostics(loaded), "spec.yml:1:1: error MCC200: the spec must be a mapping of keys to values at the top level, not a list");
});

test("a scalar at the top level is refused as such", async () => {
  const loaded = await loadText("hello\n");
  assert.equal(codes(loaded), ["MCC200"]);
});

test("binary and non-UTF-8 files are refused with a position", async () => {
  assert.equal(codes(await loadText(new Uint8Array([0x6e, 0x61, 0, 0x01]))), ["MCC004"]);
  const latin1 = new Uint8Array([...new TextEncoder().encode("name: hello\nlabels: {a: \"caf"), 0xe9, 0x22, 0x7d, 0x0a]);
  const loaded = await loadText(latin1);
  assert.equal(codes(loaded), ["MCC005"]);
  assert.equal([loaded.diagnostics[0]?.line, loaded.diagnostics[0]?.col], [2, 17]);
  assert.match(loaded.diagnostics[0]?.message ?? "", /0xe9/);
});

test("a byte order mark is accepted", async () => {
  const loaded = await loadText("\ufeff" + minimalSpec());
  assert.equal(loaded.diagnostics, []);
});

test("a 20 MB file is refused before it is read", async () => {
  let read = false;
  const big = new Uint8Array(20 * 1024 * 1024).fill(0x20);
  const host = createMemoryHost({ "/repo/spec.yml": big });
  const watched = { ...host, readFile: async (p: string) => ((read = true), host.readFile(p)) };
  const loaded = await loadSpec(watched, "/repo/spec.yml", { defaultArch: "amd64" });
  assert.equal(codes(loaded), ["MCC003"]);
  assert.match(loaded.diagnostics[0]?.message ?? "", /20\.0 MiB/);
  assert.is(read, false);
});

test("a directory or a missing path is named", async () => {
  const host = createMemoryHost({ "/repo/dir/x.yml": "a: b" });
  assert.equal(codes(await loadSpec(host, "/repo/dir", { defaultArch: "amd64" })), ["MCC002"]);
  assert.equal(codes(await loadSpec(host, "/repo/none.yml", { defaultArch: "amd64" })), ["MCC001"]);
});

test("keys that are numbers are taken as written", async () => {
  const loaded = await loadText(minimalSpec("labels:\n  8080: web\n  1.10: x\n"));
  assert.equal(loaded.spec?.labels, { "1.10": "x", "8080": "web" });
});

test.run();
