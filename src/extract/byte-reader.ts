/**
 * Reads exact byte counts from a stream of chunks without gathering the whole stream: the
 * `ar` container of a .deb is walked this way, its members passed on as streams.
 */
export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private buffer: Uint8Array = new Uint8Array(0);
  private done = false;
  /** Bytes consumed so far, for error messages. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buffer.length < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const chunk = next.value;
      if (this.buffer.length === 0) this.buffer = chunk;
      else {
        const joined = new Uint8Array(this.buffer.length + chunk.length);
        joined.set(this.buffer, 0);
        joined.set(chunk, this.buffer.length);
        this.buffer = joined;
      }
    }
    return this.buffer.length >= n;
  }

  /** Exactly n bytes, or undefined at a clean end of stream (nothing buffered). */
  async read(n: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill(n))) {
      if (this.buffer.length === 0) return undefined;
      throw new TruncatedError(`the stream ends ${n - this.buffer.length} bytes early at offset ${this.offset + this.buffer.length}`);
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    this.offset += n;
    return out;
  }

  /** The next n bytes as a stream of chunks; must be consumed fully before the next read. */
  async *stream(n: number): AsyncIterable<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.buffer.length === 0 && !(await this.fill(1))) {
        throw new TruncatedError(`the stream ends ${left} bytes early at offset ${this.offset}`);
      }
      const take = Math.min(left, this.buffer.length);
      const out = this.buffer.subarray(0, take);
      this.buffer = this.buffer.subarray(take);
      this.offset += take;
      left -= take;
      yield out;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n)) void _;
  }
}

export class TruncatedError extends Error {
  override readonly name = "TruncatedError";
}
