// The compact index the cache keeps: answers by name and by Provides exactly as the records
// parsed from the text, whatever the chunking; the same bytes for the same index; a damaged
// one is refused, not misread.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CatalogFormatError, catalogOf, compactPackagesIndex, parsePackagesIndex } from "../../src/source/package-catalog.js";
import type { PackageRecord } from "../../src/source/packages-index.js";

const sha = (c: string) => c.repeat(64);
const stanza = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("\n");
const LONG = Array.from({ length: 4000 }, (_, i) => `libsomething-rather-long${i} (>= 1.${i}),`);
const INDEX = [
  stanza({ Package: "zed", Version: "1", Architecture: "amd64", Provides: "editor, zed-abi (= 3)", Filename: "pool/z.deb", Size: "1", SHA256: sha("1") }),
  stanza({ Package: "awk-a", Version: "2", Architecture: "amd64", Provides: "awk", Filename: "pool/a.deb", Size: "2", SHA256: sha("2") }),
  // A second version of zed, later in the index: it must come second for the name.
  stanza({ Package: "zed", Version: "2", Architecture: "amd64", Filename: "pool/z2.deb", Size: "3", SHA256: sha("3") }),
  // Field names in any case, a field given twice (the last wins), a continuation line.
  "package: mawk\nVERSION: 1.3\nArchitecture: amd64\nProvides: awk\nProvides: awk, awk (= 9)\nDepends: libc6,\n  libtinfo6\nFilename: pool/m.deb\nSize: 4\nSHA256: " + sha("4"),
  // Skipped: no sha256; a bad size.
  stanza({ Package: "nohash", Version: "1", Architecture: "amd64", Filename: "pool/n.deb", Size: "1" }),
  stanza({ Package: "badsize", Version: "1", Architecture: "amd64", Filename: "pool/b.deb", Size: "x", SHA256: sha("5") }),
  // A tab inside a value cannot break the line's fields.
  stanza({ Package: "tabby", Version: "1", Architecture: "all", Source: "tab\tby", Filename: "pool/t.deb", Size: "6", SHA256: sha("6") }),
  // A continued field given again (the last wins), a continuation holding tabs, and a value
  // longer than the reader's first 64 KiB of room.
  "Package: cont\nVersion: 1\nArchitecture: all\nDepends: a,\n\tb\tc,\n  d\nDepends: e\nSource: s1\n continued\tx\n" +
    `Pre-Depends: ${LONG.join("\n ")}\nFilename: pool/c.deb\nSize: 7\nSHA256: ${sha("7")}`,
].join("\n\n") + "\n";

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const names = (records: readonly PackageRecord[]) => records.map((r) => `${r.name} ${r.version}`);

test("by name and by Provides, the records the text gives, in index order for one name", async () => {
  const text = parsePackagesIndex(INDEX, "B", "S");
  const catalog = catalogOf(await compactPackagesIndex(chunked(Buffer.from(INDEX), 4096)), "B", "S");
  assert.equal([...catalog.names()], ["awk-a", "cont", "mawk", "tabby", "zed"]);
  for (const name of ["awk-a", "cont", "mawk", "tabby", "zed"]) assert.equal(catalog.named(name), text.filter((r) => r.name === name), name);
  assert.equal(names(catalog.named("zed")), ["zed 1", "zed 2"]);
  assert.equal(catalog.named("nohash"), []);
  assert.equal(catalog.named("badsize"), []);
  assert.equal(catalog.named("zzz"), []);
  assert.equal(names(catalog.providing("awk")), ["awk-a 2", "mawk 1.3"]);
  assert.equal(names(catalog.providing("zed-abi")), ["zed 1"]);
  assert.equal(catalog.providing("nothing"), []);
  const [mawk] = catalog.named("mawk");
  assert.equal(mawk?.depends, "libc6, libtinfo6");
  assert.equal(mawk?.provides.map((p) => `${p.name}${p.version ? ` ${p.version.version}` : ""}`), ["awk", "awk 9"]);
  assert.equal(catalog.named("tabby")[0]?.source, "tab by");
  const [cont] = catalog.named("cont");
  assert.equal([cont?.depends, cont?.source], ["e", "s1 continued x"]);
  assert.equal(cont?.preDepends, LONG.join(" "));
  // The same object each time: the resolver compares records by identity.
  assert.ok(catalog.named("zed")[0] === catalog.named("zed")[0]);
  assert.ok(catalog.providing("awk")[1] === catalog.named("mawk")[0]);
});

test("the same bytes for the same index, whatever the chunking and line ends", async () => {
  const once = await compactPackagesIndex(chunked(Buffer.from(INDEX), INDEX.length));
  for (const text of [INDEX, INDEX.replace(/\n/g, "\r\n")]) {
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      assert.ok(once.equals(await compactPackagesIndex(chunked(Buffer.from(text), size))), `chunks of ${size}`);
    }
  }
});

test("the bytes are the format's: records in index order, then names and provided names sorted with their offsets", async () => {
  const index = [
    stanza({ Package: "zed", Version: "1", Architecture: "amd64", Provides: "editor, zed-abi (= 3) | vi, editor", Filename: "pool/z.deb", Size: "1", SHA256: sha("1") }),
    stanza({ Package: "\u00e9t\u00e9", Version: "2", Architecture: "all", Provides: "Bad Name, awk:any", Filename: "pool/e.deb", Size: "2", SHA256: sha("2") }),
    stanza({ Package: "awk", Version: "3", Architecture: "amd64", Depends: "libc6", Filename: "pool/a.deb", Size: "3", SHA256: sha("3") }),
    stanza({ Package: "zed", Version: "0", Architecture: "amd64", Filename: "pool/z0.deb", Size: "4", SHA256: sha("4") }),
  ].join("\n\n") + "\n";
  // Fields: package provides version architecture multi-arch essential priority pre-depends depends filename size sha256 source.
  const records = [
    `zed\teditor, zed-abi (= 3) | vi, editor\t1\tamd64\t\t\t\t\t\tpool/z.deb\t1\t${sha("1")}\t\n`,
    `\u00e9t\u00e9\tBad Name, awk:any\t2\tall\t\t\t\t\t\tpool/e.deb\t2\t${sha("2")}\t\n`,
    `awk\t\t3\tamd64\t\t\t\t\tlibc6\tpool/a.deb\t3\t${sha("3")}\t\n`,
    `zed\t\t0\tamd64\t\t\t\t\t\tpool/z0.deb\t4\t${sha("4")}\t\n`,
  ].map((line) => Buffer.from(line));
  const header = Buffer.from("mcc-packages-catalog 4\n");
  const at: number[] = [];
  for (let i = 0, offset = header.length; i < records.length; offset += records[i]!.length, i++) at.push(offset);
  const names = Buffer.from(`awk\t${at[2]}\nzed\t${at[0]}\nzed\t${at[3]}\n\u00e9t\u00e9\t${at[1]}\n`);
  // "Bad Name" is no relation and is dropped; awk:any provides awk; a name given twice counts once.
  const provided = Buffer.from(`awk\t${at[1]}\neditor\t${at[0]}\nvi\t${at[0]}\nzed-abi\t${at[0]}\n`);
  const namesAt = header.length + records.reduce((n, r) => n + r.length, 0);
  const expected = Buffer.concat([header, ...records, names, provided, Buffer.from(`end 4 4 ${namesAt} ${namesAt + names.length}\n`)]);
  const made = await compactPackagesIndex(chunked(Buffer.from(index), 5));
  assert.is(made.toString("utf8"), expected.toString("utf8"));
  assert.ok(made.equals(expected));
});

test("a damaged or foreign compact index is refused", async () => {
  const good = await compactPackagesIndex(chunked(Buffer.from(INDEX), 100));
  assert.throws(() => catalogOf(Buffer.from("not a catalog\n"), "B", "S"), (e: unknown) => e instanceof CatalogFormatError);
  assert.throws(() => catalogOf(good.subarray(0, good.length - 40), "B", "S"), (e: unknown) => e instanceof CatalogFormatError);
  assert.throws(() => catalogOf(Buffer.from(good.toString("latin1").replace(/^mcc-packages-catalog \d+/, "mcc-packages-catalog 0"), "latin1"), "B", "S"), (e: unknown) => e instanceof CatalogFormatError);
  // A record's offset outside the records, or not where a line starts, as a damaged file could say.
  const zedAt = Number(/^zed\t(\d+)$/m.exec(good.toString("latin1"))?.[1]);
  assert.ok(zedAt > 0);
  for (const at of [99999999, 0, zedAt + 1]) {
    // zed's name line is in the names section: the provided names after it move by as many bytes.
    const delta = String(at).length - String(zedAt).length;
    const damaged = good
      .toString("latin1")
      .replace(/^zed\t\d+$/m, `zed\t${at}`)
      .replace(/^end (\d+) (\d+) (\d+) (\d+)$/m, (_, r, p, n, v) => `end ${r} ${p} ${n} ${Number(v) + delta}`);
    const wrong = catalogOf(Buffer.from(damaged, "latin1"), "B", "S");
    assert.throws(() => wrong.named("zed"), (e: unknown) => e instanceof CatalogFormatError, `offset ${at}`);
  }
  // Sorted sections that say they start past the end, or in the wrong order, or end inside a line.
  const trailer = (replace: string) => Buffer.from(good.toString("latin1").replace(/^end (\d+) (\d+) (\d+) (\d+)$/m, replace), "latin1");
  for (const wrong of ["end $1 $2 99999999 $4", "end $1 $2 $3 99999999", "end $1 $2 $4 $3", "end $1 $2 1 $4"]) {
    assert.throws(() => catalogOf(trailer(wrong), "B", "S"), (e: unknown) => e instanceof CatalogFormatError, wrong);
  }
  const cut = /^end \d+ \d+ (\d+) (\d+)$/m.exec(good.toString("latin1"));
  assert.throws(() => catalogOf(trailer(`end $1 $2 $3 ${Number(cut?.[2]) - 2}`), "B", "S"), (e: unknown) => e instanceof CatalogFormatError, "a section ending inside a line");
});

test("binary search over the sorted sections: every name of a large index, and names between them", async () => {
  // 10,000 packages (more than the reader sorts in one run) with names sharing prefixes, some
  // in several versions far apart in the index, some providing others.
  const stanzas: string[] = [];
  const all = new Map<string, number>();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 10000; i++) {
    const name = `lib${["a", "ab", "abc", "b", "x-y", "z9"][next() % 6]}${next() % 700}${next() % 3 === 0 ? "+dbg" : ""}`;
    all.set(name, (all.get(name) ?? 0) + 1);
    const provides: Record<string, string> = next() % 4 === 0 ? { Provides: `virt${next() % 50}` } : {};
    stanzas.push(stanza({ Package: name, Version: String(i), Architecture: "amd64", ...provides, Filename: `pool/${i}.deb`, Size: "1", SHA256: sha("a") }));
  }
  const indexText = stanzas.join("\n\n") + "\n";
  const text = parsePackagesIndex(indexText, "B", "S");
  const catalog = catalogOf(await compactPackagesIndex(chunked(Buffer.from(indexText), 65536)), "B", "S");
  const sorted = [...all.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.equal([...catalog.names()], sorted);
  const byName = new Map<string, PackageRecord[]>();
  for (const r of text) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const name of sorted) assert.equal(catalog.named(name), byName.get(name), name);
  for (let v = 0; v < 50; v++) assert.equal(names(catalog.providing(`virt${v}`)), names(text.filter((r) => r.provides.some((p) => p.name === `virt${v}`))), `virt${v}`);
  // Before the first, after the last, between two, and a prefix of one.
  for (const missing of ["", "a", "liba", "libz99999", "zzz", `${sorted[10]}0`, (sorted[10] as string).slice(0, -1)]) {
    if (all.has(missing)) continue;
    assert.equal(catalog.named(missing), [], missing);
  }
});

test.run();
