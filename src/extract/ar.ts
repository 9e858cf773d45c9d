import { ByteReader } from "./byte-reader.js";

/** One member of an `ar` archive, its bytes as a stream to be read before the next member. */
export interface ArMember {
  readonly name: string;
  readonly size: number;
  readonly body: AsyncIterable<Uint8Array>;
}

export class ArFormatError extends Error {
  override readonly name = "ArFormatError";
}

const MAGIC = "!<arch>\n";

/**
 * Walks a System V / GNU `ar` archive (the container of a .deb) as a stream. Each member's
 * body must be consumed (or left alone: the rest is skipped) before asking for the next.
 */
export async function* readAr(source: AsyncIterable<Uint8Array>): AsyncIterable<ArMember> {
  const reader = new ByteReader(source);
  const magic = await reader.read(8);
  if (magic === undefined || new TextDecoder().decode(magic) !== MAGIC) throw new ArFormatError("not an ar archive (no !<arch> magic)");
  for (;;) {
    const header = await reader.read(60);
    if (header === undefined) return;
    const text = new TextDecoder("latin1").decode(header);
    if (text.slice(58, 60) !== "`\n") throw new ArFormatError(`bad ar member header at offset ${reader.offset - 60}`);
    const name = text.slice(0, 16).trim().replace(/\/$/, "");
    const size = Number(text.slice(48, 58).trim());
    if (!Number.isSafeInteger(size) || size < 0) throw new ArFormatError(`bad ar member size "${text.slice(48, 58).trim()}"`);
    let consumed = 0;
    const body = (async function* () {
      for await (const chunk of reader.stream(size)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    yield { name, size, body };
    if (consumed < size) await reader.skip(size - consumed);
    // Members are padded to an even offset.
    if (size % 2 === 1) await reader.read(1);
  }
}
