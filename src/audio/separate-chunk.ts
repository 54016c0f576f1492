import type { SeparationEngine } from "./engines/engine.js";
import { CHANNELS, SAMPLE_RATE, type Stems } from "./pcm.js";
import { blockSpans, STEM_BLOCK_FRAMES, type StemBlock, stemsFromBlocks, stemsRange } from "./stem-blocks.js";
import { StemBodyWriter } from "./stem-body-writer.js";

export interface ChunkSpan {
  start: number;
  end: number;
  contextStart: number;
  contextEnd: number;
}

/**
 * Frames an engine separates at a time. Small, for memory: the dsp engine allocates about 250 bytes of working
 * arrays a frame. Large enough that the context on a block's two sides (2·radius) adds at most 1/12 to the work,
 * and at least a second, so calls stay few: dsp 1 s, stft 3.3 s. At most STEM_BLOCK_FRAMES, the blocks a body's
 * reader takes whole.
 */
export const separationBlockFrames = (engine: SeparationEngine) =>
  Math.min(STEM_BLOCK_FRAMES, Math.max(SAMPLE_RATE, 24 * engine.radius));

export interface BlockOptions {
  /** Frames a block: separationBlockFrames(engine) unless a test needs blocks of its own size. */
  blockFrames?: number;
  /** Called after each block is written: where a thread may collect the block's garbage. */
  afterBlock?: () => void;
}

/**
 * Separates a chunk a block of frames at a time, each block with the engine's radius of context on both sides
 * (as far as the chunk's own context reaches), and yields only the chunk's own frames. An engine's output frame
 * depends on no input further than its radius, so this gives the samples separating the whole chunk at once
 * would, while the engine's working arrays cover one block, not a minute of frames.
 */
export function* separateBlocks(
  engine: SeparationEngine,
  input: Int16Array,
  span: ChunkSpan,
  blockFrames = separationBlockFrames(engine),
): Generator<StemBlock> {
  if (input.length !== (span.contextEnd - span.contextStart) * CHANNELS) {
    throw new Error(
      `chunk input has ${input.length} samples, expected ${(span.contextEnd - span.contextStart) * CHANNELS}`,
    );
  }
  for (const [from, to] of blockSpans(span.start, span.end, blockFrames)) {
    const low = Math.max(span.contextStart, from - engine.radius);
    const high = Math.min(span.contextEnd, to + engine.radius);
    const mix = input.subarray((low - span.contextStart) * CHANNELS, (high - span.contextStart) * CHANNELS);
    const stems = engine.separate(mix, low);
    yield { start: from - span.start, end: to - span.start, stems: stemsRange(stems, from - low, to - low) };
  }
}

/** A chunk's result body, written a block at a time as the blocks are separated (stem-body-format.ts). */
export function separateChunkBody(
  engine: SeparationEngine,
  input: Int16Array,
  span: ChunkSpan,
  { blockFrames = separationBlockFrames(engine), afterBlock }: BlockOptions = {},
): Buffer {
  const writer = new StemBodyWriter(
    span.end - span.start,
    blockSpans(span.start, span.end, blockFrames).length,
  );
  for (const block of separateBlocks(engine, input, span, blockFrames)) {
    writer.add(block.stems);
    afterBlock?.();
  }
  return writer.finish();
}

/** A chunk's stems whole, trimmed to its own frames. */
export const separateChunk = (
  engine: SeparationEngine,
  input: Int16Array,
  span: ChunkSpan,
  blockFrames = separationBlockFrames(engine),
): Stems => stemsFromBlocks(span.end - span.start, separateBlocks(engine, input, span, blockFrames));

/** The single-process reference: the whole song as one chunk, no context needed. */
export const separateWhole = (engine: SeparationEngine, song: Int16Array): Stems =>
  separateChunk(engine, song, {
    start: 0,
    end: song.length / CHANNELS,
    contextStart: 0,
    contextEnd: song.length / CHANNELS,
  });
