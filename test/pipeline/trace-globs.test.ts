// Builds that would succeed and then not do what was meant, said at the spec's line: an
// `include` or `exclude` glob that matches nothing (a warning with the closest path there is),
// an `exclude` that takes out a file the program needs (an error naming who needs it), and a
// library missing for files an include brought in (one error at the include, with a count).
// Whole compiles on the in-memory host against a signed archive; the diagnostics as printed
// are the golden file test/fixtures-source/trace-globs/diagnostics.txt.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertSourceGolden } from "../support/golden.js";
import { renderDiagnostic } from "../../src/diagnostics/render.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { compile } from "../../src/pipeline/compile.js";
import { buildElf, EM } from "../support/elf.js";
import { createMemoryArchive, MEMORY_LD, memoryCompileRequest, memoryLibc6, type MemoryArchive } from "../support/memory-archive.js";

let shared: MemoryArchive | undefined;
async function archive(): Promise<MemoryArchive> {
  shared ??= await createMemoryArchive([
    memoryLibc6(),
    {
      name: "hello",
      version: "1.0-1",
      depends: "libc6 (>= 2.34)",
      files: {
        "/usr/bin/hello": buildElf({ is64: true, le: true, machine: EM.x86_64, interp: MEMORY_LD, needed: ["libc.so.6"] }),
        "/usr/share/doc/hello/README": "hello, world\n",
        "/usr/share/hello/greetings.txt": "hello\n",
        // A module tree whose scripts name interpreters the set does not have: data unless run.
        "/usr/share/hello/tools/a.py": "#!/usr/bin/env python3\nprint('a')\n",
        "/usr/share/hello/tools/b.py": "#!/usr/bin/env python3\nprint('b')\n",
        "/usr/share/hello/tools/c.pl": "#!/usr/bin/perl -w\nprint 'c';\n",
        // Plugins that need a library no package ships: kept only when an include names them.
        ...Object.fromEntries(["a", "b", "c"].map((n) => [`/usr/lib/hello/plugins/${n}.so`, buildElf({ is64: true, le: true, machine: EM.x86_64, needed: ["libgone.so.1"], soname: `${n}.so` })])),
      },
    },
    // An interpreter, and its standard library in a package of its own.
    {
      name: "py",
      version: "3.99-1",
      depends: "libc6 (>= 2.34)",
      // The interpreter, with the names of the modules built into it as C strings (as CPython's inittab holds them).
      files: { "/usr/bin/python3.99": Buffer.concat([buildElf({ is64: true, le: true, machine: EM.x86_64, interp: MEMORY_LD, needed: ["libc.so.6"] }), Buffer.from("\0sys\0posix\0")]) },
    },
    {
      name: "py-yaml",
      version: "6.0-1",
      files: { "/usr/lib/python3/dist-packages/yaml/__init__.py": "# yaml\n" },
    },
    {
      name: "py-stdlib",
      version: "3.99-1",
      files: { "/usr/lib/python3.99/encodings/__init__.py": "# codecs\n", "/usr/lib/python3.99/os.py": "# os\n" },
    },
  ]);
  return shared;
}

async function build(lines: string[], program = { packages: "[hello]", executable: "/usr/bin/hello" }) {
  const arch = await archive();
  const spec = ["name: hello", "from:", "  release: testrel", `  mirror: ${arch.url}`, "  keyring: archive.gpg", `packages: ${program.packages}`, `executable: ${program.executable}`, ...lines, "output: {format: oci, path: out/hello}", ""].join("\n");
  const host = createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring }, { web: arch.web });
  return compile(host, memoryCompileRequest());
}

const printed: string[] = [];
function print(result: Awaited<ReturnType<typeof build>>): string[] {
  const diagnostics = result.kind === "built" ? result.warnings : result.kind === "diagnostics" ? result.diagnostics : [];
  const source = result.kind === "built" ? result.source : result.kind === "diagnostics" ? result.loaded.source : undefined;
  const lines = diagnostics.map((d) => renderDiagnostic(d, source, { excerpt: false, color: false }).split("/work/app/").join(""));
  printed.push(...lines);
  return lines;
}

test("an include that matches nothing is a warning at its line, with the closest path; the build goes on", async () => {
  const result = await build(["include:", "  - /usr/share/doc/hello/**", "  - /usr/share/helo/*.txt", "  - /usr/share/hello"]);
  assert.is(result.kind, "built");
  assert.equal(print(result), [
    'spec.yml:10:5: warning MCC504: include "/usr/share/helo/*.txt" matches nothing in the packages\nspec.yml:10:5: note: did you mean "/usr/share/hello/*.txt"?',
    'spec.yml:11:5: warning MCC504: include "/usr/share/hello" matches nothing in the packages\nspec.yml:11:5: note: it names a directory, and include keeps files: "/usr/share/hello/**" keeps what is in it',
  ]);
});

test("an exclude that matches nothing is a warning; one that matches something is not", async () => {
  const result = await build(["exclude:", "  - /usr/share/doc/**", "  - /usr/shar/hello/**"]);
  assert.is(result.kind, "built");
  assert.equal(print(result), [
    'spec.yml:10:5: warning MCC505: exclude "/usr/shar/hello/**" matches nothing in the packages\nspec.yml:10:5: note: did you mean "/usr/share/hello/**"?',
  ]);
});

test("an exclude that takes out a library the program loads is an error at the exclude, naming who needs it", async () => {
  const result = await build(["exclude:", "  - /usr/lib/x86_64-linux-gnu/libc.so*"]);
  assert.is(result.kind, "diagnostics");
  assert.equal(print(result), ['spec.yml:9:5: error MCC506: exclude "/usr/lib/x86_64-linux-gnu/libc.so*" removes /usr/lib/x86_64-linux-gnu/libc.so.6, which /usr/bin/hello needs']);
});

test("a library missing for files an include brought in is one error at that include, with how many files lack it", async () => {
  const result = await build(["include:", "  - /usr/share/doc/hello/**", "  - /usr/lib/hello/plugins/*.so"]);
  assert.is(result.kind, "diagnostics");
  assert.equal(print(result), ['spec.yml:10:5: error MCC501: libgone.so.1, needed by /usr/lib/hello/plugins/a.so and 2 other files, is in no package of the set\nspec.yml:10:5: note: searched /lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib:/lib64:/usr/lib64; add the package that ships libgone.so.1']);
});

test("a kept script whose #! names a program not in the image is a warning at the include, one per interpreter; the build goes on", async () => {
  const result = await build(["include:", "  - /usr/share/hello/tools/*"]);
  assert.is(result.kind, "built");
  assert.equal(print(result), [
    "spec.yml:9:5: warning MCC507: /usr/share/hello/tools/a.py and 1 other kept file start with #!/usr/bin/env, which is not in the image\nspec.yml:9:5: note: nothing in the image runs them, so they are kept as data; if the program runs them, add the package that ships env",
    "spec.yml:9:5: warning MCC507: /usr/share/hello/tools/c.pl starts with #!/usr/bin/perl, which is not in the image\nspec.yml:9:5: note: nothing in the image runs it, so it is kept as data; if the program runs it, add the package that ships perl",
  ]);
});

test("the same script as one of the spec's own files runs, so its missing interpreter is an error (found before the build)", async () => {
  const result = await build(["files:", "  - { path: /usr/local/bin/tool, content: \"#!/usr/bin/perl\\nprint 1;\\n\", mode: 0755 }"]);
  assert.is(result.kind, "diagnostics");
  assert.match(print(result).join("\n"), /error MCC405: \/usr\/bin\/perl, needed by \/usr\/local\/bin\/tool, is in no package of the release/);
});

test("an interpreter whose standard library is in no package of the set is a warning naming the package that ships it", async () => {
  const python = { packages: "[py]", executable: "/usr/bin/python3.99" };
  const bare = await build([], python);
  assert.is(bare.kind, "built");
  assert.equal(print(bare), [
    "spec.yml:7:13: warning MCC508: /usr/bin/python3.99 is in the image without /usr/lib/python3.99/encodings/__init__.py, which it loads when it starts\nspec.yml:7:13: note: the release's package py-stdlib ships it: add it to packages; mcc then keeps /usr/lib/python3.99/** whole",
  ]);
  // With the package, the rule keeps the tree and nothing is said.
  const whole = await build([], { ...python, packages: "[py, py-stdlib]" });
  assert.is(whole.kind, "built");
  assert.equal(print(whole), []);
});

test("an exclude that takes out what an interpreter loads to start is a warning at the exclude", async () => {
  const result = await build(["exclude:", "  - /usr/lib/python3.99/encodings/**"], { packages: "[py, py-stdlib]", executable: "/usr/bin/python3.99" });
  assert.is(result.kind, "built");
  assert.equal(print(result), [
    'spec.yml:9:5: warning MCC508: /usr/bin/python3.99 is in the image without /usr/lib/python3.99/encodings/__init__.py, which it loads when it starts\nspec.yml:9:5: note: exclude "/usr/lib/python3.99/encodings/**" takes it out: narrow it (mcc keeps /usr/lib/python3.99/** for python3.99)',
  ]);
});

test("a module the spec's Python program imports that the image lacks is a warning at its files entry, naming the package that ships it", async () => {
  const program = [
    "#!/usr/bin/python3.99",
    '"""A program. import nothing_in_a_docstring"""',
    "import os, sys  # the library and a built-in module",
    "import helper",
    "from . import sibling",
    "import yaml",
    "from gone.sub import thing",
    "try:",
    "    import ujson as json",
    "except ImportError:",
    "    import json",
    "",
    "def main():",
    "    import yaml.composer",
    "",
  ];
  const result = await build(
    ["files:", "  - path: /app/main.py", "    mode: 0755", "    content: |", ...program.map((l) => (l === "" ? "" : `      ${l}`)), '  - { path: /app/helper.py, content: "x = 1\\n" }'],
    { packages: "[py, py-stdlib]", executable: "/usr/bin/python3.99" },
  );
  assert.is(result.kind, "built", JSON.stringify(result.kind === "diagnostics" ? result.diagnostics : result.kind));
  assert.equal(print(result), [
    "spec.yml:9:11: warning MCC509: /app/main.py imports yaml (line 6), which is not in the image\nspec.yml:9:11: note: the release's package py-yaml ships it: add it to packages",
    "spec.yml:9:11: warning MCC509: /app/main.py imports gone.sub (line 7), which is not in the image\nspec.yml:9:11: note: no package of the release ships it under /usr/lib/python3/dist-packages: add it to the spec's files, or name the package that provides it",
  ]);
  // With the package, nothing is said.
  const whole = await build(
    ["files:", `  - { path: /app/main.py, content: "import os, sys, yaml\\n", mode: 0755 }`],
    { packages: "[py, py-stdlib, py-yaml]", executable: "/usr/bin/python3.99" },
  );
  assert.equal(print(whole), []);
});

test("the diagnostics match the golden file", () => {
  assertSourceGolden("trace-globs", printed.join("\n") + "\n");
});

test.run();
