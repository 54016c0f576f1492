/**
 * A MESSAGE frame's body as it streams in. With the frame's content-length it is copied into one buffer of
 * that size as it arrives, so a 30 MB result never exists twice (its chunks and their concatenation);
 * without one, or past it, the chunks are joined at the end.
 */
export class MessageBody {
  private readonly whole: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  private received = 0;

  constructor(contentLength: string | undefined) {
    const declared = Number(contentLength);
    if (
      contentLength !== undefined &&
      contentLength !== "" &&
      Number.isSafeInteger(declared) &&
      declared >= 0
    )
      this.whole = Buffer.allocUnsafe(declared);
    else this.chunks = [];
  }

  add(chunk: Buffer): void {
    if (!this.chunks && this.whole && this.received + chunk.length <= this.whole.length) {
      chunk.copy(this.whole, this.received);
    } else {
      this.chunks ??= [this.whole?.subarray(0, this.received) ?? Buffer.alloc(0)];
      this.chunks.push(chunk);
    }
    this.received += chunk.length;
  }

  end(): Buffer {
    if (this.chunks) return Buffer.concat(this.chunks);
    return this.whole ? this.whole.subarray(0, this.received) : Buffer.alloc(0);
  }
}
