import { CHANNELS, STEM_NAMES, type Stems } from "./pcm.js";
import { BLOCK_HEADER_BYTES, BLOCKS_MAGIC } from "./stem-body-format.js";
import { layoutOf, writeSection } from "./stem-layout.js";

/**
 * The most a frame's samples can take: four 32-bit stereo stems (what a body stored before compaction holds; a
 * block body adds 8 bytes a block of seconds).
 */
export const MAX_STEM_BYTES_PER_FRAME = CHANNELS * 4 * STEM_NAMES.length;

/**
 * Writes an "ESt2" body (stem-body-format.ts) a block at a time, into one buffer sized for the widest body of
 * `frames` frames in `blocks` blocks. Only the bytes written are ever touched, and a buffer that large is
 * mapped memory the kernel backs a page at a time on first write, so the rest never takes memory: the body costs
 * what its samples take, with no copy made to trim it. Its ArrayBuffer is its own, so a thread can transfer it.
 */
export class StemBodyWriter {
  private readonly out: Buffer;
  private length = BLOCKS_MAGIC.length;
  private written = 0;
  private blocksLeft: number;

  constructor(
    private readonly frames: number,
    blocks: number,
  ) {
    this.blocksLeft = blocks;
    this.out = Buffer.from(
      new ArrayBuffer(BLOCKS_MAGIC.length + blocks * BLOCK_HEADER_BYTES + frames * MAX_STEM_BYTES_PER_FRAME),
    );
    this.out.set(BLOCKS_MAGIC);
  }

  /** The next block: four stems of the same number of frames, interleaved stereo. */
  add(stems: Stems): void {
    const count = stems[STEM_NAMES[0]].length / CHANNELS;
    if (STEM_NAMES.some((name) => stems[name].length !== count * CHANNELS))
      throw new Error("a block's stems differ in length");
    if (count === 0 || this.blocksLeft === 0 || this.written + count > this.frames)
      throw new Error(
        `a block of ${count} frames does not fit: ${this.written} of ${this.frames} frames written, ${this.blocksLeft} blocks left`,
      );
    const layouts = STEM_NAMES.map((name) => layoutOf(stems[name]));
    this.out.writeUInt32LE(count, this.length);
    this.out.set(layouts, this.length + 4);
    let offset = this.length + BLOCK_HEADER_BYTES;
    STEM_NAMES.forEach((name, k) => {
      offset += writeSection(stems[name], layouts[k], this.out, offset);
    });
    this.length = offset;
    this.written += count;
    this.blocksLeft--;
  }

  /** The body: a view on the written part of the buffer. */
  finish(): Buffer {
    if (this.written !== this.frames)
      throw new Error(`the body has ${this.written} frames written, expected ${this.frames}`);
    return this.out.subarray(0, this.length);
  }
}
