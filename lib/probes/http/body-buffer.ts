/**
 * A response body kept for assertions, copied into one buffer as it arrives. Keeping the pieces the
 * socket delivered instead costs a Buffer object each (about a hundred bytes for every 1-byte chunk
 * of a chunked body) and pins the larger socket reads they are cut from: a body of endless 1-byte
 * chunks capped at 1 MiB held over 200 MB that way. Here memory is the body's size, at most twice
 * while the buffer grows, and never more than `max` bytes of body.
 */
const FIRST_CAPACITY = 16_384;

export class BodyBuffer {
  private buffer: Buffer = Buffer.alloc(0);
  private length = 0;

  constructor(private readonly max: number) {}

  /** Copies `chunk` in; false, and nothing kept, when the body would pass `max`. */
  append(chunk: Uint8Array): boolean {
    const needed = this.length + chunk.length;
    if (needed > this.max) return false;
    if (needed > this.buffer.length) {
      let capacity = Math.max(FIRST_CAPACITY, this.buffer.length * 2);
      while (capacity < needed) capacity *= 2;
      const grown = Buffer.allocUnsafe(Math.min(capacity, this.max));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
    return true;
  }

  /** The body so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
