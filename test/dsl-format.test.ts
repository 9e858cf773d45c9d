// `mcc fmt` and `mcc convert`: the canonical form keeps every comment and is reached in one
// step; --check and --write behave as CI and editors expect; conversion is lossless both ways
// and refuses specs with errors rather than guess.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runMain } from "../src/cli/program.js";
import { createSourceText } from "../src/types/source-text.js";
import { convertSpec, formatDsl } from "../src/format/convert-spec.js";
import { createMemoryHost } from "../src/host/memory-host.js";
import { parseDslSpec } from "../src/parse/parse-dsl.js";
import { parseYamlSpec } from "../src/parse/parse-yaml.js";
import { repoRoot } from "./helpers.js";
import { captureIo } from "./support/io.js";

const messy = `# The header comment.

image   web:1.0 {   # on the image line
  # before packages
  packages nginx-light   # trailing packages
  executable    /usr/sbin/nginx
  from {
    # about the release
    release bookworm
    archs amd64 # trailing archs
  }
  # before the second packages
  packages ca-certificates


  env B = "two"
  # about A
  env A = one
  mount /run tmpfs; mount /write volume
  file /read/a.conf content "x = 1\\n" mode 0640
  output oci ; output rootfs out/web.rootfs   # two outputs
  # at the end of the block
}
# after the block
`;

const canonical = `# The header comment.

image web:1.0 { # on the image line
  from {
    # about the release
    release bookworm
    archs amd64 # trailing archs
  }
  # before packages
  packages [ # trailing packages
    nginx-light
    # before the second packages
    ca-certificates
  ]
  executable /usr/sbin/nginx

  env B = two
  # about A
  env A = one
  mount /run tmpfs
  mount /write volume
  file /read/a.conf content "x = 1\\n" mode 0640
  output oci
  output rootfs out/web.rootfs # two outputs
  # at the end of the block
}
# after the block
`;

const fmt = (text: string) => formatDsl(createSourceText("spec.mcc", text));
const commentsOf = (text: string) => text.split("\n").flatMap((l) => /#.*$/.exec(l)?.[0] ?? []).sort();

test("fmt: the canonical form, every comment kept, the same value, in one step", () => {
  const once = fmt(messy).text;
  assert.is(once, canonical);
  assert.is(fmt(canonical).text, canonical);
  assert.equal(commentsOf(canonical), commentsOf(messy));
  const value = (t: string) => parseDslSpec(createSourceText("spec.mcc", t)).ast?.value;
  assert.equal(value(canonical), value(messy));
});

test("fmt refuses a file it cannot print faithfully, and formats one with schema errors", () => {
  assert.is(fmt("image a {\n  pakages x\n}\n").text, undefined);
  assert.equal(fmt("image a {\n  pakages x\n}\n").diagnostics.map((d) => d.code), ["MCC124"]);
  assert.is(fmt("image a {\n  mount /x\n}\n").text, undefined);
  assert.is(fmt("image A {\n  mount /x volum\n}\n").text, "image A {\n  mount /x volum\n}\n");
});

async function cli(args: string[], files: Record<string, string>) {
  const host = createMemoryHost(files);
  const { io, out } = captureIo({ host });
  const code = await runMain(args, io);
  const read = async (path: string) => new TextDecoder().decode(await host.readFile(path));
  return { code, ...out, read };
}

test("fmt --check fails naming the file, --write rewrites it, plain fmt prints", async () => {
  const check = await cli(["fmt", "--check", "/w/a.mcc", "/w/b.mcc"], { "/w/a.mcc": messy, "/w/b.mcc": canonical });
  assert.is(check.code, 1);
  assert.is(check.stderr, "/w/a.mcc: not in canonical form; run `mcc fmt --write /w/a.mcc`\n");
  assert.is((await cli(["fmt", "--check", "/w/b.mcc"], { "/w/b.mcc": canonical })).code, 0);
  const write = await cli(["fmt", "--write", "/w/a.mcc"], { "/w/a.mcc": messy });
  assert.is(write.code, 0);
  assert.is(await write.read("/w/a.mcc"), canonical);
  const print = await cli(["fmt", "/w/a.mcc"], { "/w/a.mcc": messy });
  assert.is(print.stdout, canonical);
  const bad = await cli(["fmt", "--write", "/w/a.mcc"], { "/w/a.mcc": "image a {\n  mount\n}\n" });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /a\.mcc:2:8: error MCC122: expected a path after `mount`/);
  assert.is(await bad.read("/w/a.mcc"), "image a {\n  mount\n}\n");
  assert.is((await cli(["fmt", "/w/a.yml"], { "/w/a.yml": "name: a\n" })).code, 1);
  assert.is((await cli(["fmt", "--check", "--write", "/w/b.mcc"], { "/w/b.mcc": canonical })).code, 2);
});

test("convert: YAML to DSL and back gives the same model, comments at the top kept", async () => {
  const yml = readFileSync(join(repoRoot, "test", "fixtures", "valid-full", "spec.yml"), "utf8");
  const toDsl = await cli(["convert", "--to", "dsl", "/w/spec.yml"], { "/w/spec.yml": yml });
  assert.is(toDsl.code, 0, toDsl.stderr);
  assert.match(toDsl.stdout, /^# Every field of the format, each in a form the format allows\.\nimage httpd:1\.36 \{\n/);
  assert.not.match(toDsl.stdout, /yaml-language-server/);
  const back = await cli(["convert", "--to", "yaml", "/w/spec.mcc", "-o", "/w/again.yml"], { "/w/spec.mcc": toDsl.stdout });
  assert.is(back.code, 0, back.stderr);
  const again = await back.read("/w/again.yml");
  const yamlValue = (t: string) => parseYamlSpec(createSourceText("spec.yml", t)).ast?.value;
  assert.equal(yamlValue(again), yamlValue(yml));
  assert.equal(parseDslSpec(createSourceText("spec.mcc", toDsl.stdout)).ast?.value, yamlValue(yml));
});

test("convert refuses a spec with errors, and --to is required", async () => {
  const r = await cli(["convert", "--to", "dsl", "/w/spec.yml"], { "/w/spec.yml": "name: a\npackages: [x]\nexecutable: /a\n" });
  assert.is(r.code, 1);
  assert.match(r.stderr, /MCC303/);
  assert.match(r.stderr, /was not converted: only a spec without errors can be/);
  assert.is((await cli(["convert", "/w/spec.yml"], { "/w/spec.yml": "name: a\n" })).code, 2);
  const ok = convertSpec(createSourceText("a.mcc", "image a {\n  packages aa\n  executable /a\n}\n"), "dsl", "yaml");
  assert.is(ok.text, "name: a\npackages: [aa]\nexecutable: /a\n");
});

test("validate takes .mcc files beside YAML ones, and --help lists fmt and convert", async () => {
  const examples = join(repoRoot, "examples");
  const { io, out } = captureIo();
  const code = await runMain(["validate", join(examples, "curl.mcc"), join(examples, "curl.yml"), join(examples, "busybox-httpd.mcc")], io);
  assert.is(code, 0, out.stderr);
  assert.is(out.stdout.split(repoRoot + "/").join(""), "examples/curl.mcc: ok\nexamples/curl.yml: ok\nexamples/busybox-httpd.mcc: ok\n");
  const json = await cli(["validate", "--json", "/w/a.mcc"], { "/w/a.mcc": "image a {\n  mount /x\n}\n" });
  assert.is(json.code, 1);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; diagnostics: { code: string; line: number; col: number }[] };
  assert.equal(parsed.diagnostics.map((d) => [d.code, d.line, d.col]), [["MCC122", 2, 11]]);
  const help = await cli(["--help"], {});
  assert.match(help.stdout, /fmt \[options\] <file\.\.\.>/);
  assert.match(help.stdout, /convert \[options\] <spec>/);
});

test.run();
