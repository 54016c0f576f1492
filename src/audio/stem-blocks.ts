import { CHANNELS, SAMPLE_RATE, STEM_NAMES, type Stems } from "./pcm.js";
import { sectionGroups, stemsBodyError } from "./stem-body-format.js";
import { readSection, sectionBytes } from "./stem-layout.js";

/**
 * The most frames a result body's reader decodes at a time, and the blocks encodeStems writes: the server's merge
 * holds one such block's stems (a few MB) rather than a chunk's (84 MB for a minute).
 */
export const STEM_BLOCK_FRAMES = 4 * SAMPLE_RATE;

/** The stems of frames [start, end) of a chunk (counted from the chunk's first frame). */
export interface StemBlock {
  start: number;
  end: number;
  stems: Stems;
}

/** [start, end) cut into consecutive spans of `blockFrames` frames, the last one shorter. */
export function blockSpans(start: number, end: number, blockFrames: number): Array<[number, number]> {
  if (!(Number.isInteger(blockFrames) && blockFrames > 0))
    throw new Error(`blocks of ${blockFrames} frames are not a positive whole number`);
  const spans: Array<[number, number]> = [];
  for (let from = start; from < end; from += blockFrames)
    spans.push([from, Math.min(end, from + blockFrames)]);
  return spans;
}

/** Frames [from, to) of stems, as views. */
export const stemsRange = (stems: Stems, from: number, to: number): Stems =>
  Object.fromEntries(
    STEM_NAMES.map((name) => [name, stems[name].subarray(from * CHANNELS, to * CHANNELS)]),
  ) as Stems;

/** Whole stems of `frames` frames, filled in from blocks that cover them. */
export function stemsFromBlocks(frames: number, blocks: Iterable<StemBlock>): Stems {
  const stems = Object.fromEntries(
    STEM_NAMES.map((name) => [name, new Int32Array(frames * CHANNELS)]),
  ) as Stems;
  for (const block of blocks) {
    for (const name of STEM_NAMES) stems[name].set(block.stems[name], block.start * CHANNELS);
  }
  return stems;
}

/**
 * A body's stems a block of at most `blockFrames` frames at a time, whichever shape it has (stem-body-format.ts):
 * a body stored whole, or with larger blocks, is cut. Its shape is checked in full before the first block, so a
 * body that lies is refused before anything is made of it.
 */
export function* stemBlocks(
  body: Buffer,
  frames: number,
  blockFrames = STEM_BLOCK_FRAMES,
): Generator<StemBlock> {
  const problem = stemsBodyError(body, frames);
  if (problem) throw new Error(problem);
  let first = 0;
  for (const group of sectionGroups(body, frames)) {
    for (const [from, to] of blockSpans(0, group.frames, blockFrames)) {
      let offset = group.offset;
      const stems = {} as Stems;
      STEM_NAMES.forEach((name, k) => {
        const layout = group.layouts[k];
        stems[name] = readSection(body, offset + sectionBytes(layout, from), layout, to - from);
        offset += sectionBytes(layout, group.frames);
      });
      yield { start: first + from, end: first + to, stems };
    }
    first += group.frames;
  }
}
