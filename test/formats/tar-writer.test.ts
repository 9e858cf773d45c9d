// mcc's tar writer: the same bytes as tar-stream's pack (which wrote mcc's layers before it, so
// no digest moved) for any entries mcc writes, long and non-ASCII names included; GNU tar reads
// it back; content that is not its header's size fails the archive.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { extract, pack } from "tar-stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tarArchive, tarHeader, type TarEntry } from "../../src/formats/tar-writer.js";

async function ours(entries: TarEntry[]): Promise<Buffer> {
  const out: Uint8Array[] = [];
  // Copied as they come: a chunk is the consumer's only until it asks for the next.
  for await (const chunk of tarArchive(entries)) out.push(Uint8Array.from(chunk));
  return Buffer.concat(out);
}

async function tarStream(entries: TarEntry[]): Promise<Buffer> {
  const tar = pack();
  const out: Buffer[] = [];
  const reading = (async () => {
    for await (const chunk of tar) out.push(chunk as Buffer);
  })();
  for (const { header, content } of entries) {
    const fileType = header.type === "directory" ? 0o040000 : header.type === "file" ? 0o100000 : 0o120000;
    const h = { ...header, mode: header.mode | fileType, mtime: new Date(header.mtime * 1000), uname: "", gname: "" };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (content instanceof Uint8Array) tar.entry(h, Buffer.from(content), done);
      else tar.entry(h, done);
    });
  }
  tar.finalize();
  await reading;
  return Buffer.concat(out);
}

const segment = fc.stringMatching(/^[a-z0-9._+-]{1,40}$/);
const nonAscii = fc.constantFrom("café", "日本", "naïve");
const path = fc.array(fc.oneof({ weight: 6, arbitrary: segment }, { weight: 1, arbitrary: nonAscii }, { weight: 1, arbitrary: fc.constant("x".repeat(120)) }), { minLength: 1, maxLength: 8 }).map((parts) => parts.join("/"));
const ids = fc.oneof(fc.constantFrom(0, 65534), fc.integer({ min: 0, max: 2 ** 21 }));
const entry: fc.Arbitrary<TarEntry> = fc.oneof(
  fc.record({ name: path, mode: fc.integer({ min: 0, max: 0o7777 }), uid: ids, gid: ids, mtime: fc.integer({ min: 0, max: 2 ** 31 - 1 }), bytes: fc.uint8Array({ maxLength: 1500 }) }).map(({ bytes, ...h }) => ({ header: { ...h, type: "file" as const, size: bytes.length }, content: bytes })),
  fc.record({ name: path, mode: fc.integer({ min: 0, max: 0o7777 }), uid: ids, gid: ids, mtime: fc.nat() }).map((h) => ({ header: { ...h, name: `${h.name}/`, type: "directory" as const, size: 0 } })),
  fc.record({ name: path, linkname: path, uid: ids, gid: ids, mtime: fc.nat() }).map((h) => ({ header: { ...h, type: "symlink" as const, mode: 0o777, size: 0 } })),
);

test("the same bytes as tar-stream's pack, for any entries", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 6 }), async (entries) => {
      assert.equal((await ours(entries)).equals(await tarStream(entries)), true);
    }),
    { numRuns: 300 },
  );
});

test("the same bytes at the edges of ustar's fields: name 100, prefix 155, link 100", async () => {
  const file = (name: string): TarEntry => ({ header: { name, type: "file", mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 1 }, content: new Uint8Array(1) });
  const link = (linkname: string): TarEntry => ({ header: { name: "l", type: "symlink", linkname, mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 1 } });
  for (const n of [99, 100, 101]) {
    for (const entries of [[file("n".repeat(n))], [file(`${"p".repeat(154)}/${"n".repeat(n)}`)], [file(`${"p".repeat(155)}/${"n".repeat(n)}`)], [file(`${"p".repeat(156)}/${"n".repeat(n)}`)], [file(`${"p".repeat(70)}/${"q".repeat(84)}/${"n".repeat(n)}`)], [link("t".repeat(n))]]) {
      assert.equal((await ours(entries)).equals(await tarStream(entries)), true, entries[0]?.header.name);
    }
  }
});

test("a size over 8 GiB is written in base-256, as readers decode it", async () => {
  const size = 2 ** 34 + 5;
  const header = tarHeader({ name: "big", type: "file", mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });
  const seen = await new Promise<number | undefined>((resolve, reject) => {
    const x = extract();
    x.on("entry", (h, stream) => {
      resolve(h.size);
      stream.resume();
      x.destroy();
    });
    x.on("error", reject);
    x.write(Buffer.from(header));
  });
  assert.is(seen, size);
});

test("GNU tar lists and extracts it: long names through pax, the prefix field, content", async () => {
  const long = `${"d".repeat(90)}/${"e".repeat(90)}/file.txt`;
  const entries: TarEntry[] = [
    { header: { name: "usr/", type: "directory", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 } },
    { header: { name: "usr/hello", type: "file", mode: 0o755, uid: 0, gid: 0, size: 5, mtime: 0 }, content: new TextEncoder().encode("hello") },
    { header: { name: long, type: "file", mode: 0o644, uid: 1000, gid: 1000, size: 3, mtime: 0 }, content: new TextEncoder().encode("abc") },
    { header: { name: `${"f".repeat(160)}`, type: "file", mode: 0o600, uid: 0, gid: 0, size: 0, mtime: 0 }, content: new Uint8Array(0) },
    { header: { name: "usr/café", type: "symlink", linkname: "hello", mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 0 } },
  ];
  const dir = mkdtempSync(join(tmpdir(), "mcc-tar-"));
  try {
    writeFileSync(join(dir, "a.tar"), await ours(entries));
    const list = spawnSync("tar", ["-tf", join(dir, "a.tar")], { encoding: "utf8", timeout: 30_000 });
    assert.is(list.status, 0, list.stderr);
    assert.equal(list.stdout.trim().split("\n"), ["usr/", "usr/hello", long, "f".repeat(160), "usr/café"]);
    const x = spawnSync("tar", ["-xf", join(dir, "a.tar"), "-C", dir], { encoding: "utf8", timeout: 30_000 });
    assert.is(x.status, 0, x.stderr);
    assert.is(readFileSync(join(dir, long), "utf8"), "abc");
    assert.is(readFileSync(join(dir, "usr", "café"), "utf8"), "hello");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("content shorter or longer than its header's size fails the archive", async () => {
  const header = { name: "a", type: "file" as const, mode: 0o644, uid: 0, gid: 0, size: 4, mtime: 0 };
  async function* chunks(n: number): AsyncIterable<Uint8Array> {
    yield new Uint8Array(n);
  }
  for (const n of [3, 5]) {
    const failed = await ours([{ header, content: chunks(n) }]).then(
      () => undefined,
      (error: Error) => error.message,
    );
    assert.match(failed ?? "", n < 4 ? "shorter than the 4 bytes" : "longer than the 4 bytes");
  }
});

test.run();
