/**
 * Overlap-adds synthesised grid frames into one stereo stem, rounding each sample to a whole number once the
 * last frame that covers it has been added. Frames must come in increasing grid order: every sample's sum
 * then runs over its frames in the same order in a chunk as in the whole song, so the float64 result (and its
 * rounding) is the same bit for bit. Only `size` samples per channel are held, not the song.
 */
export class OverlapAdd {
  private readonly left: Float64Array;
  private readonly right: Float64Array;
  /** The song frame from which samples are still open. */
  private open: number;

  constructor(
    private readonly out: Int32Array,
    private readonly offset: number,
    private readonly size: number,
    private readonly hop: number,
  ) {
    this.left = new Float64Array(size);
    this.right = new Float64Array(size);
    this.open = offset;
  }

  /** Adds grid frame `k`; `left` and `right` are its samples, already windowed and scaled. */
  add(k: number, left: Float64Array, right: Float64Array): void {
    const start = k * this.hop;
    this.closeBefore(start);
    const from = Math.max(start, this.offset);
    const to = Math.min(start + this.size, this.end());
    for (let t = from; t < to; t++) {
      const slot = (t - this.offset) % this.size;
      this.left[slot] += left[t - start];
      this.right[slot] += right[t - start];
    }
  }

  /** Rounds what is still open: call after the last frame. */
  finish(): void {
    this.closeBefore(this.end());
  }

  private end(): number {
    return this.offset + this.out.length / 2;
  }

  private closeBefore(until: number): void {
    const stop = Math.min(until, this.end());
    for (let t = this.open; t < stop; t++) {
      const slot = (t - this.offset) % this.size;
      const i = 2 * (t - this.offset);
      this.out[i] = Math.round(this.left[slot]);
      this.out[i + 1] = Math.round(this.right[slot]);
      this.left[slot] = 0;
      this.right[slot] = 0;
    }
    this.open = Math.max(this.open, stop);
  }
}
