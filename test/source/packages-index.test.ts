// The streaming Packages parser: the same records whatever the chunking, only the fields mcc
// needs, and stanzas that lack what mcc relies on skipped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { catalogOf, compactPackagesIndex, parsePackagesIndex } from "../../src/source/package-catalog.js";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const INDEX = [
  "Package: libfoo1",
  "Source: foo (1.2-3)",
  "Version: 1.2-3+b1",
  "Architecture: amd64",
  "Multi-Arch: same",
  "Priority: optional",
  "Depends: libc6 (>= 2.34), libbar2 | libbaz2",
  "Pre-Depends: dpkg (>= 1.15)",
  "Provides: libfoo (= 1.2), libfoo-abi-1",
  "Description: a library with a long description",
  " that goes on over lines ü",
  " .",
  " and more",
  "Filename: pool/main/f/foo/libfoo1_1.2-3+b1_amd64.deb",
  "Size: 12345",
  `SHA256: ${SHA_A}`,
  "",
  "Package: tool",
  "Version: 2",
  "Architecture: all",
  "Essential: yes",
  "Priority: required",
  "Depends: libfoo1,",
  " libqux3",
  "Filename: pool/main/t/tool/tool_2_all.deb",
  "Size: 10",
  `SHA256: ${SHA_B}`,
  "",
  "",
  "Package: no-hash",
  "Version: 1",
  "Architecture: amd64",
  "Filename: pool/main/n/no-hash/no-hash_1_amd64.deb",
  "Size: 1",
  "",
].join("\n");

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test("fields are read, folded values joined, stanzas without a hash skipped", () => {
  const records = parsePackagesIndex(INDEX, "http://archive", "bookworm");
  assert.equal(records.length, 2);
  const [foo, tool] = records;
  assert.equal(foo?.name, "libfoo1");
  assert.equal(foo?.source, "foo (1.2-3)");
  assert.equal(foo?.version, "1.2-3+b1");
  assert.equal(foo?.multiArch, "same");
  assert.equal(foo?.depends, "libc6 (>= 2.34), libbar2 | libbaz2");
  assert.equal(foo?.preDepends, "dpkg (>= 1.15)");
  assert.equal(foo?.provides.map((p) => p.name), ["libfoo", "libfoo-abi-1"]);
  assert.equal(foo?.size, 12345);
  assert.equal(foo?.sha256, SHA_A);
  assert.equal(foo?.base, "http://archive");
  assert.equal(tool?.essential, true);
  assert.equal(tool?.priority, "required");
  assert.equal(tool?.source, "tool");
  assert.equal(tool?.depends, "libfoo1, libqux3");
  assert.equal(tool?.multiArch, "no");
});

test("every chunk size gives the same records, CRLF line ends too", async () => {
  const whole = parsePackagesIndex(INDEX, "b", "s");
  for (const text of [INDEX, INDEX.replace(/\n/g, "\r\n")]) {
    const bytes = Buffer.from(text, "utf8");
    for (const size of [1, 2, 3, 7, 64, 1000, bytes.length]) {
      const catalog = catalogOf(await compactPackagesIndex(chunked(bytes, size)), "b", "s");
      assert.equal([...catalog.names()].flatMap((name) => catalog.named(name)), whole, `chunks of ${size}`);
    }
  }
});

test("an index without a final newline still ends its last stanza", () => {
  const records = parsePackagesIndex(INDEX.trimEnd().split("\n\n\nPackage: no-hash")[0] as string, "b", "s");
  assert.equal(records.map((r) => r.name), ["libfoo1", "tool"]);
});

test.run();
