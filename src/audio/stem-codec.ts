import { CHANNELS, STEM_NAMES, type Stems } from "./pcm.js";
import { blockSpans, STEM_BLOCK_FRAMES, stemBlocks, stemsFromBlocks, stemsRange } from "./stem-blocks.js";
import { StemBodyWriter } from "./stem-body-writer.js";

/**
 * Result bodies as a whole: for stems already held whole (tests, the reference, the harness). A worker writes its
 * body a block at a time as it separates (separateChunkBody), and the server merges one a block at a time
 * (stemBlocks); the shapes are in stem-body-format.ts.
 */
export { stemsBodyError } from "./stem-body-format.js";
export { MAX_STEM_BYTES_PER_FRAME } from "./stem-body-writer.js";

export function encodeStems(stems: Stems, blockFrames = STEM_BLOCK_FRAMES): Buffer {
  const frames = stems[STEM_NAMES[0]].length / CHANNELS;
  const spans = blockSpans(0, frames, blockFrames);
  const writer = new StemBodyWriter(frames, spans.length);
  for (const [from, to] of spans) writer.add(stemsRange(stems, from, to));
  return writer.finish();
}

export const decodeStems = (body: Buffer, frames: number): Stems =>
  stemsFromBlocks(frames, stemBlocks(body, frames));
