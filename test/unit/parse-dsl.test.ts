// The DSL front end: the value and locations it builds (the same as the YAML front end's),
// how it reads numbers and strings, and the syntax errors it reports, several per run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSourceText, positionAt } from "../../src/types/source-text.js";
import { parseDslSpec } from "../../src/parse/parse-dsl.js";
import { parseYamlSpec } from "../../src/parse/parse-yaml.js";
import { codes, loadDsl, loadText, plainDiagnostics } from "../helpers.js";

const parse = (text: string) => parseDslSpec(createSourceText("spec.mcc", text));
const plainDiagnosticsOf = (text: string) => parse(text).diagnostics.map((d) => `${d.line}:${d.col}: ${d.code}: ${d.message}`).join("\n");

/** `line:col` of a pointer's value and key. */
function at(text: string, pointer: string): string {
  const result = parse(text);
  const loc = result.ast?.locations.get(pointer);
  assert.ok(loc, `no location for ${pointer}`);
  const source = createSourceText("spec.mcc", text);
  const p = positionAt(source, loc.start);
  const key = loc.keyStart === undefined ? "" : ` key ${positionAt(source, loc.keyStart).line}:${positionAt(source, loc.keyStart).col}`;
  return `${p.line}:${p.col}-${text.slice(loc.start, loc.end)}${key}`;
}

const full = `# a comment
image httpd:1.36 {
  version 1
  from {
    release bookworm   # trailing
    archs amd64 arm64
    components main
    mirror "http://mirror.example.org/debian"
    keyring keys/archive.gpg
    distro debian
  }
  packages busybox-static libc6=2.36-9+deb12u7
  executable /bin/busybox
  args [
    httpd -f
    -p 8080
  ]
  env PORT = 8080
  env "WEIRD" = "a \\"quoted\\" \\\\ \\u{e9}\\n"
  user { name www; uid 1000; gid 01750 }
  workdir /read
  mount /run tmpfs
  mount [
    /read config
    /write volume
  ]
  include "/usr/share/zoneinfo/**"
  exclude /usr/share/doc/**
  file /read/httpd.conf source app.conf mode 0644
  file /read/index.html content "<p>hi</p>\\n" mode "0640"
  ports 8080/tcp 53 "9090"
  label org.example.team = infra
  output oci
  output docker-archive out/httpd.tar
}
`;

test("every statement gives the value the YAML spec gives", () => {
  const yaml = `version: 1
name: httpd
tag: "1.36"
from: {release: bookworm, archs: [amd64, arm64], components: [main], mirror: "http://mirror.example.org/debian", keyring: keys/archive.gpg, distro: debian}
packages: [busybox-static, libc6=2.36-9+deb12u7]
executable: /bin/busybox
args: [httpd, -f, -p, "8080"]
env: {PORT: "8080", WEIRD: "a \\"quoted\\" \\\\ \\u00e9\\n"}
user: {name: www, uid: 1000, gid: 0o1750}
workdir: /read
mounts: [{path: /run, type: tmpfs}, {path: /read, type: config}, {path: /write, type: volume}]
include: ["/usr/share/zoneinfo/**"]
exclude: ["/usr/share/doc/**"]
files:
  - {path: /read/httpd.conf, source: app.conf, mode: 0644}
  - {path: /read/index.html, content: "<p>hi</p>\\n", mode: "0640"}
ports: [8080/tcp, 53, "9090"]
labels: {org.example.team: infra}
output: [{format: oci}, {format: docker-archive, path: out/httpd.tar}]
`;
  const dsl = parse(full);
  assert.equal(dsl.diagnostics, []);
  const expected = parseYamlSpec(createSourceText("spec.yml", yaml)).ast?.value;
  assert.equal(dsl.ast?.value, expected);
  // Every pointer of the value has a location.
  const pointers = (v: unknown, p: string): string[] =>
    typeof v === "object" && v !== null ? [p, ...Object.entries(v).flatMap(([k, c]) => pointers(c, `${p}/${k}`))] : [p];
  for (const pointer of pointers(dsl.ast?.value, "")) assert.ok(dsl.ast?.locations.has(pointer), pointer);
});

test("locations: the value's range and the keyword's, as YAML gives the value's and the key's", () => {
  assert.is(at(full, "/name"), "2:7-httpd key 2:1");
  assert.is(at(full, "/tag"), "2:13-1.36 key 2:1");
  assert.is(at(full, "/from/release"), "5:13-bookworm key 5:5");
  assert.is(at(full, "/packages/1"), "12:27-libc6=2.36-9+deb12u7");
  assert.is(at(full, "/args/3"), "16:8-8080");
  assert.is(at(full, "/env/PORT"), "18:14-8080 key 18:7");
  assert.is(at(full, "/user/gid"), "20:34-01750 key 20:30");
  assert.is(at(full, "/mounts/2/type"), "25:12-volume");
  assert.is(at(full, "/files/0/mode"), "29:46-0644 key 29:41");
  assert.is(at(full, "/output/1/path"), "34:25-out/httpd.tar");
  assert.is(parse(full).ast?.locations.get("/files/0/mode")?.raw, "0644");
});

test("numbers only where the schema takes one; quotes make strings", () => {
  const v = parse('image a {\n  user 65532\n  args 8080 0644\n  ports 80 "81" 0o17\n  file /x content "" mode 0o600\n}\n').ast?.value as Record<string, unknown>;
  assert.is(v["user"], 65532);
  assert.equal(v["args"], ["8080", "0644"]);
  assert.equal(v["ports"], [80, "81", 15]);
  assert.equal(v["files"], [{ path: "/x", content: "", mode: 0o600 }]);
});

test("from: a release, distro/release, or a block; user: a word, a number or a block; empty forms", () => {
  const v = (body: string) => parse(`image a {\n${body}\n}\n`).ast?.value as Record<string, unknown>;
  assert.equal(v("from trixie")["from"], { release: "trixie" });
  assert.equal(v("from debian/sid")["from"], { distro: "debian", release: "sid" });
  assert.equal(v("from {}")["from"], {});
  assert.equal(v("user 1000:1000")["user"], "1000:1000");
  assert.equal(v("mount []\n  file []\n  args []\n  env {}\n  label {}")["mounts"], []);
  assert.equal(v("mount []\n  file []\n  args []\n  env {}\n  label {}"), { name: "a", mounts: [], files: [], args: [], env: {}, labels: {} });
  assert.equal(v("output [\n  oci\n]")["output"], [{ format: "oci" }]);
  assert.equal(v("output oci")["output"], { format: "oci" });
  assert.equal(v("packages a\n  packages b c")["packages"], ["a", "b", "c"]);
  assert.equal(v("packages file user image")["packages"], ["file", "user", "image"]);
});

test("boot and metadata: blocks of their keys; booleans where the schema takes them", () => {
  const text = 'image a {\n  boot {\n    kernel linux-image-amd64\n    cmdline "quiet loglevel=3"\n    console ttyS0\n    onExit restart\n  }\n  metadata { sbom false; dpkgStatus "true" }\n}\n';
  const parsed = parse(text);
  assert.equal(parsed.diagnostics, []);
  const v = parsed.ast?.value as Record<string, unknown>;
  assert.equal(v["boot"], { kernel: "linux-image-amd64", cmdline: "quiet loglevel=3", console: "ttyS0", onExit: "restart" });
  assert.equal(v["metadata"], { sbom: false, dpkgStatus: "true" });
  assert.is(at(text, "/boot/onExit"), "6:12-restart key 6:5");
  assert.is(at(text, "/metadata/sbom"), "8:19-false key 8:14");
  const yaml = parseYamlSpec(createSourceText("spec.yml", 'name: a\nboot: {kernel: linux-image-amd64, cmdline: "quiet loglevel=3", console: ttyS0, onExit: restart}\nmetadata: {sbom: false, dpkgStatus: "true"}\n')).ast?.value as Record<string, unknown>;
  assert.equal(v["boot"], yaml["boot"]);
  assert.equal(v["metadata"], yaml["metadata"]);
  assert.match(plainDiagnosticsOf("image a {\n  boot {\n    kernal x\n  }\n  sbom true\n}\n"), /unknown keyword `kernal` \(did you mean `kernel`\?\)[\s\S]*`sbom` belongs in `metadata \{ \}`/);
});

test("several syntax errors in one run, each in words", async () => {
  const loaded = await loadDsl(`image curl {
  mount /write
  executable
  env A=b
  packages [ curl
    jq "unclosed
  ]
  args "bad \\q escape"
  ports 80 ; 81 82 ]
}
}
`);
  assert.is(
    plainDiagnostics(loaded),
    [
      "spec.mcc:2:15: error MCC122: expected a mount type (`volume`, `config` or `tmpfs`) after `/write`",
      "spec.mcc:3:13: error MCC122: expected the executable's absolute path after `executable`",
      "spec.mcc:4:10: error MCC122: expected `=` after `A=b`",
      "spec.mcc:4:10: note: write spaces around `=`: `env NAME = VALUE`",
      "spec.mcc:6:8: error MCC120: this string has no closing quote (\") on its line",
      "spec.mcc:8:13: error MCC121: unknown escape \\q in a string; the escapes are \\\\ \\\" \\n \\t \\r and \\u{...}",
      "spec.mcc:9:14: error MCC123: unexpected `81`: a statement starts with a keyword such as `packages`",
      "spec.mcc:9:14: note: quote values that hold spaces or any of `\"{}[];`, and keep each value on its statement's line",
      "spec.mcc:11:1: error MCC128: a .mcc file holds one image block; unexpected `}` after its closing `}`",
    ].join("\n"),
  );
});

test("unknown keywords get a did-you-mean, or where they belong, and validation still runs", async () => {
  const loaded = await loadDsl("image a {\n  pakages curl\n  release bookworm\n  run /bin/sh\n  executable bin/sh\n  user { name x; gd 3 }\n}\n");
  assert.is(
    plainDiagnostics(loaded),
    [
      "spec.mcc:1:1: error MCC202: missing required field \"packages\"",
      "spec.mcc:2:3: error MCC124: unknown keyword `pakages` (did you mean `packages`?)",
      "spec.mcc:3:3: error MCC124: unknown keyword `release` here: `release` belongs in `from { }`",
      "spec.mcc:4:3: error MCC124: unknown keyword `run` (write `executable PATH` and `args ...`)",
      "spec.mcc:5:14: error MCC300: executable must be an absolute path (starting with '/'), not \"bin/sh\"",
      "spec.mcc:6:18: error MCC124: unknown keyword `gd` (did you mean `gid`?)",
    ].join("\n"),
  );
});

test("schema and meaning errors point at the DSL's nodes", async () => {
  const loaded = await loadDsl('image a {\n  packages hello\n  executable /usr/bin/hello\n  mount /write volum\n  file /read/x content "" mode 644\n  ports 70000\n  user { name "Bad" }\n}\n');
  assert.equal(codes(loaded), ["MCC205", "MCC312", "MCC208", "MCC204"]);
  const text = plainDiagnostics(loaded);
  assert.match(text, /spec\.mcc:4:16: error MCC205: mounts\[0\]\.type must be/);
  assert.match(text, /spec\.mcc:5:32: error MCC312: mode 644 is a decimal number/);
  assert.match(text, /spec\.mcc:6:9: error MCC208: ports\[0\] must be at most 65535, not 70000/);
  assert.match(text, /spec\.mcc:7:15: error MCC204: user\.name "Bad" is invalid/);
});

test("an empty user block is a schema error, not a crash (found by the fuzz test)", async () => {
  assert.is(plainDiagnostics(await loadDsl("image a {\n  packages aa\n  executable /a\n  user {}\n}\n")), 'spec.mcc:4:8: error MCC211: user is empty; give at least one of "name", "uid" or "gid"');
});

test("repeated settings are refused, repeated lists add up", async () => {
  const loaded = await loadDsl("image a {\n  packages aa\n  executable /a\n  executable /b\n  env X = 1\n  env X = 2\n  file /x content y content z\n  packages bb\n}\n");
  assert.is(
    plainDiagnostics(loaded),
    [
      "spec.mcc:4:3: error MCC125: `executable` is given twice (first on line 3)",
      "spec.mcc:6:7: error MCC125: the variable `X` of `env` is given twice (first on line 5)",
      "spec.mcc:7:21: error MCC125: `content` of one file is given twice (first on line 7)",
    ].join("\n"),
  );
});

test("an empty file, a YAML file and an unclosed block", async () => {
  assert.equal(codes(await loadDsl("# only a comment\n\n")), ["MCC006"]);
  const yaml = await loadDsl("name: curl\npackages: [curl]\n");
  assert.is(plainDiagnostics(yaml).split("\n")[0], "spec.mcc:1:1: error MCC126: a .mcc file starts with `image NAME {`, not `name:`");
  assert.match(plainDiagnostics(yaml), /note: this looks like YAML/);
  assert.equal(codes(await loadDsl("image a {\n  from {\n    release x\n")), ["MCC127"]);
});

test("a `{` on the next line gets a hint where it goes", async () => {
  const text = plainDiagnostics(await loadDsl("image a {\n  packages aa\n  executable /a\n  from\n  {\n    release sid\n  }\n}\n"));
  assert.match(text, /^spec\.mcc:4:7: error MCC122: expected a release \(`from bookworm`\) or `\{` after `from`\nspec\.mcc:4:7: note: a block's `\{` goes on the line of its keyword/);
});

test("the YAML front end still reads .yml files", async () => {
  assert.equal(codes(await loadText("name: a\npackages: [aa]\nexecutable: /a\n")), []);
});

test("boot's network: a word (dhcp, none) or a block of its own, the same document as YAML; a misspelt field gets a suggestion", () => {
  const block = parse(`image web {
  packages busybox-static
  executable /bin/busybox
  boot {
    network {
      address 10.0.2.15/24
      gateway 10.0.2.2
      dns 10.0.2.3 1.1.1.1
      interface eth1
    }
  }
}
`);
  assert.equal(block.diagnostics, []);
  assert.equal((block.ast?.value as { boot: unknown }).boot, { network: { address: "10.0.2.15/24", gateway: "10.0.2.2", dns: ["10.0.2.3", "1.1.1.1"], interface: "eth1" } });
  const word = parse("image web {\n  packages busybox-static\n  executable /bin/busybox\n  boot { network dhcp }\n}\n");
  assert.equal((word.ast?.value as { boot: unknown }).boot, { network: "dhcp" });
  assert.match(plainDiagnosticsOf("image web {\n  packages busybox-static\n  executable /bin/busybox\n  boot { network { adress 10.0.2.15/24 } }\n}\n"), /4:20: MCC124: .*adress.*did you mean `address`/);
});

test.run();
