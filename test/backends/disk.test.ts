// The disk writers' pure parts against known values: GPT's CRC-32 and GUID byte order, an empty
// ext4's fixed layout, qcow2's header. (Real tools read whole images in test/boot/.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { emptyExt4 } from "../../src/backends/disk/ext4.js";
import { crc32, ESP_TYPE, gptDisk, guidBytes } from "../../src/backends/disk/gpt.js";
import { qcow2 } from "../../src/backends/disk/qcow2.js";

test("CRC-32 of the check string, and the ESP type GUID as GPT stores it (mixed endian)", () => {
  assert.is(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.is(Buffer.from(guidBytes(ESP_TYPE)).toString("hex"), "28732ac11ff8d211ba4b00a0c93ec93b");
});

test("a GPT disk: protective MBR, headers at LBA 1 and the last, the partition at 1 MiB, a whole number of MiB", () => {
  const partition = new Uint8Array(3000).fill(7);
  const disk = gptDisk({ name: "t", partition, type: ESP_TYPE, label: "EFI System" });
  const bytes = Buffer.concat(disk.chunks);
  assert.is(bytes.length, disk.bytes);
  assert.is(bytes.length % (1024 * 1024), 0);
  assert.equal([bytes[510], bytes[511], bytes[446 + 4]], [0x55, 0xaa, 0xee]);
  assert.is(bytes.subarray(512, 520).toString("latin1"), "EFI PART");
  assert.is(bytes.subarray(bytes.length - 512, bytes.length - 504).toString("latin1"), "EFI PART");
  assert.is(bytes[2048 * 512], 7);
  assert.is(bytes[2048 * 512 + 3000], 0);
  // The header's CRC is over its 92 bytes with the CRC field zero.
  const header = Buffer.from(bytes.subarray(512, 512 + 92));
  const stored = header.readUInt32LE(16);
  header.writeUInt32LE(0, 16);
  assert.is(crc32(header), stored);
  assert.ok(Buffer.concat(gptDisk({ name: "t", partition, type: ESP_TYPE, label: "EFI System" }).chunks).equals(bytes));
});

test("an empty ext4: the superblock at 1024 with its magic and label; the same bytes twice; sizes out of range refused", () => {
  const a = emptyExt4({ bytes: 64 * 1024 * 1024, label: "write" });
  const first = a.chunks[0]?.data as Uint8Array;
  const sb = Buffer.from(first.subarray(1024, 2048));
  assert.is(sb.readUInt16LE(56), 0xef53);
  assert.is(sb.subarray(120, 126).toString("latin1"), "write\0");
  assert.equal(emptyExt4({ bytes: 64 * 1024 * 1024, label: "write" }), a);
  assert.throws(() => emptyExt4({ bytes: 4096 * 10, label: "write" }), /multiple of 4096 bytes from/);
  assert.throws(() => emptyExt4({ bytes: 64 * 1024 * 1024, label: "much-too-long-label" }), /1 to 16/);
});

test("qcow2: the magic, version 2, 64 KiB clusters, the virtual size; only non-zero clusters stored", () => {
  const raw = new Uint8Array(10 * 65536);
  raw[3 * 65536 + 5] = 1;
  const out = Buffer.concat(qcow2(raw));
  assert.is(out.subarray(0, 4).toString("latin1"), "QFI\xfb");
  assert.equal([out.readUInt32BE(4), out.readUInt32BE(20), Number(out.readBigUInt64BE(24))], [2, 16, raw.length]);
  // header, refcount table, one refcount block, L1, one L2, one data cluster.
  assert.is(out.length, 6 * 65536);
});

test.run();
