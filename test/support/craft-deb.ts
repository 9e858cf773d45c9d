// .deb files made by hand, entry by entry: the hostile ones a real package builder refuses to
// make (a file under a symlink, `..` members, devices), for the tests that check mcc defuses them.
import { pack } from "tar-stream";
import { collectBytes } from "../../src/host/host.js";

export type TarItem = { name: string; type?: "file" | "directory" | "symlink" | "link" | "character-device" | "fifo"; mode?: number; linkname?: string; body?: string | Uint8Array };

/** A plain tar of the items, in order. */
export async function tar(items: readonly TarItem[]): Promise<Buffer> {
  const p = pack();
  const done = collectBytes(p as unknown as AsyncIterable<Uint8Array>);
  for (const item of items) {
    const header = { name: item.name, type: item.type ?? "file", mode: item.mode ?? 0o644, ...(item.linkname ? { linkname: item.linkname } : {}) };
    await new Promise<void>((resolve, reject) => p.entry(header, item.body ?? "", (error) => (error ? reject(error) : resolve())));
  }
  p.finalize();
  return Buffer.from(await done);
}

/** An ar archive of the members, as a .deb is. */
export function ar(members: readonly [string, Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from("!<arch>\n")];
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${"0".padEnd(12)}${"0".padEnd(6)}${"0".padEnd(6)}${"100644".padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(header, "latin1"), data);
    if (data.length % 2 === 1) parts.push(Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

/** A .deb with this control text and these data.tar items (both members uncompressed, as format 2.0 allows). */
export async function craftDeb(control: string, data: readonly TarItem[]): Promise<Buffer> {
  return ar([
    ["debian-binary", Buffer.from("2.0\n")],
    ["control.tar", await tar([{ name: "./control", body: control }])],
    ["data.tar", await tar(data)],
  ]);
}

/**
 * The tar with one member's name bytes replaced (same length) and its header checksum made
 * right again: how a test writes a name no tar library will, such as bytes that are not UTF-8.
 */
export function renameMember(archive: Buffer, from: string, to: Buffer): Buffer {
  const out = Buffer.from(archive);
  const wanted = Buffer.from(from);
  if (wanted.length !== to.length) throw new Error("renameMember keeps the length");
  for (let at = 0; at + 512 <= out.length; at += 512) {
    if (!out.subarray(at, at + 100).subarray(0, wanted.length).equals(wanted)) continue;
    to.copy(out, at);
    out.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = at; i < at + 512; i++) sum += out[i]!;
    out.write(`${sum.toString(8).padStart(6, "0")}\0 `, at + 148, "latin1");
    return out;
  }
  throw new Error(`no member named ${from}`);
}
