import type { SeparationEngine } from "./engines/engine.js";
import { CHANNELS, STEM_NAMES, type Stems } from "./pcm.js";

export interface ChunkSpan {
  start: number;
  end: number;
  contextStart: number;
  contextEnd: number;
}

/** Separates a chunk with its context, then trims the context so only the chunk's own frames remain. */
export function separateChunk(engine: SeparationEngine, input: Int16Array, span: ChunkSpan): Stems {
  if (input.length !== (span.contextEnd - span.contextStart) * CHANNELS) {
    throw new Error(
      `chunk input has ${input.length} samples, expected ${(span.contextEnd - span.contextStart) * CHANNELS}`,
    );
  }
  const stems = engine.separate(input, span.contextStart);
  const from = (span.start - span.contextStart) * CHANNELS;
  const to = (span.end - span.contextStart) * CHANNELS;
  return Object.fromEntries(STEM_NAMES.map((name) => [name, stems[name].slice(from, to)])) as Stems;
}

/** The single-process reference: the whole song as one chunk, no context needed. */
export const separateWhole = (engine: SeparationEngine, song: Int16Array): Stems =>
  separateChunk(engine, song, {
    start: 0,
    end: song.length / CHANNELS,
    contextStart: 0,
    contextEnd: song.length / CHANNELS,
  });
