// .deb reading on archives the test builds by hand, including the hostile entries a real
// package never has: each is dropped or defused, with a note.
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ArFormatError } from "../../src/extract/ar.js";
import { TruncatedError } from "../../src/extract/byte-reader.js";
import { normalizeEntryPath, readDeb, type DebEntry } from "../../src/extract/deb.js";
import { collectBytes } from "../../src/host/host.js";
import { ar, renameMember, tar, type TarItem } from "../support/craft-deb.js";

async function* chunks(data: Buffer, size = 7): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function read(deb: Buffer) {
  const entries: string[] = [];
  const contents: Record<string, string> = {};
  const result = await readDeb(chunks(deb), async (e: DebEntry, content) => {
    entries.push(`${e.kind} ${e.path}${"target" in e ? ` -> ${e.target}` : ""}${"mode" in e ? ` ${e.mode.toString(8)}` : ""}`);
    if (content !== undefined) contents[e.path] = new TextDecoder().decode(await collectBytes(content));
  });
  return { entries, contents, ...result };
}

async function deb(data: TarItem[], compress = false): Promise<Buffer> {
  const control = await tar([{ name: "./control", body: "Package: x\nVersion: 1\n" }]);
  const dataTar = await tar(data);
  return ar([
    ["debian-binary", Buffer.from("2.0\n")],
    ["control.tar", control],
    [compress ? "data.tar.gz" : "data.tar", compress ? gzipSync(dataTar) : dataTar],
  ]);
}

test("entries stream out in order, small chunks or not, compressed or not", async () => {
  for (const compress of [false, true]) {
    const r = await read(await deb([
      { name: "./", type: "directory", mode: 0o755 },
      { name: "./usr/bin/x", body: "hello", mode: 0o755 },
      { name: "./usr/bin/y", type: "symlink", linkname: "x" },
      { name: "./usr/bin/z", type: "link", linkname: "./usr/bin/x" },
    ], compress));
    assert.equal(r.entries, ["directory / 755", "file /usr/bin/x 755", "symlink /usr/bin/y -> x", "hardlink /usr/bin/z -> /usr/bin/x"]);
    assert.is(r.contents["/usr/bin/x"], "hello");
    assert.is(new TextDecoder().decode(r.control.get("control")), "Package: x\nVersion: 1\n");
    assert.equal(r.notes, []);
  }
});

test("hostile entries are dropped or defused, each with a note", async () => {
  const r = await read(await deb([
    { name: "./etc/../../escape", body: "x" },
    { name: "../outside", body: "x" },
    { name: "./dev/console", type: "character-device" },
    { name: "./run/fifo", type: "fifo" },
    { name: "./usr/bin/su", body: "x", mode: 0o4755 },
    { name: "./usr/bin/ghost", type: "link", linkname: "./usr/bin/nowhere" },
    { name: "./usr/lib/evil", type: "symlink", linkname: "/etc/passwd" },
    { name: "/abs/file", body: "y" },
  ]));
  assert.equal(r.entries, ["file /usr/bin/su 755", "symlink /usr/lib/evil -> /etc/passwd", "file /abs/file 644"]);
  assert.equal(r.notes, [
    "./etc/../../escape: the path leaves the root or is not a path; dropped",
    "../outside: the path leaves the root or is not a path; dropped",
    "./dev/console: a character-device (device nodes and fifos are never kept); dropped",
    "./run/fifo: a fifo (device nodes and fifos are never kept); dropped",
    "/usr/bin/su: setuid/setgid/sticky bits cleared (mode 4755 -> 755)",
    './usr/bin/ghost: a hard link to "./usr/bin/nowhere", which is not an earlier entry; dropped',
  ]);
});

test("names that are not UTF-8 or hold a control character are dropped, with their links, each with a note", async () => {
  const dataTar = renameMember(await tar([
    { name: "./usr/share/x/ok", body: "kept" },
    { name: "./usr/share/x/caf?", body: "latin-1" },
    { name: "./usr/share/x/two\nlines", body: "newline" },
    { name: "./usr/share/x/tab\there", body: "tab" },
    { name: "./usr/share/x/to-newline", type: "symlink", linkname: "two\nlines" },
    { name: "./usr/share/x/caf\u00e9-ok", body: "UTF-8 is kept" },
  ]), "./usr/share/x/caf?", Buffer.from("./usr/share/x/caf\xe9", "latin1"));
  const control = await tar([{ name: "./control", body: "Package: x\nVersion: 1\n" }]);
  const r = await read(ar([["debian-binary", Buffer.from("2.0\n")], ["control.tar", control], ["data.tar", dataTar]]));
  assert.equal(r.entries, ["file /usr/share/x/ok 644", "file /usr/share/x/caf\u00e9-ok 644"]);
  assert.equal(r.notes, [
    "./usr/share/x/caf\uFFFD: the name: it is not valid UTF-8 (it holds U+FFFD, which stands for bytes that are not); dropped",
    "./usr/share/x/two\\u000alines: the name: it holds the control character U+000A; dropped",
    "./usr/share/x/tab\\u0009here: the name: it holds the control character U+0009; dropped",
    "./usr/share/x/to-newline: the link's target: it holds the control character U+000A; dropped",
  ]);
});

test("paths normalize to absolute, and .. never survives", () => {
  assert.is(normalizeEntryPath("./usr//bin/./x"), "/usr/bin/x");
  assert.is(normalizeEntryPath("usr/bin/x"), "/usr/bin/x");
  assert.is(normalizeEntryPath("./"), "/");
  assert.is(normalizeEntryPath("./a/../b"), undefined);
  assert.is(normalizeEntryPath("a\0b"), undefined);
});

test("a truncated .deb and a file that is not one are refused", async () => {
  const full = await deb([{ name: "./x", body: "hello world" }]);
  try {
    await read(full.subarray(0, full.length - 100));
    assert.unreachable("a truncated .deb was read");
  } catch (error) {
    assert.instance(error, TruncatedError);
  }
  try {
    await read(Buffer.from("PK\x03\x04 not an ar archive at all"));
    assert.unreachable("a zip was read as a .deb");
  } catch (error) {
    assert.instance(error, ArFormatError);
  }
});

test.run();
