import { CHANNELS, STEM_NAMES, type StemName, type Stems } from "./pcm.js";
import { stemsFromBlocks } from "./stem-blocks.js";

export interface MergePart {
  start: number;
  end: number;
  stems: Stems;
}

/** The chunks in song order, each starting where the last ended and together covering the song exactly. */
export function inSongOrder<T extends { start: number; end: number }>(
  frames: number,
  parts: readonly T[],
): T[] {
  const ordered = [...parts].sort((a, b) => a.start - b.start);
  let next = 0;
  for (const part of ordered) {
    if (part.start !== next) {
      throw new Error(
        part.start > next ? `frames ${next}..${part.start} are missing` : `frame ${part.start} is repeated`,
      );
    }
    next = part.end;
  }
  if (next !== frames) throw new Error(`frames ${next}..${frames} are missing`);
  return ordered;
}

/** Concatenates chunk stems into whole-song stems; refuses a gap, an overlap or a wrong length. */
export function mergeChunks(frames: number, parts: readonly MergePart[]): Stems {
  const ordered = inSongOrder(frames, parts);
  for (const part of ordered) {
    for (const name of STEM_NAMES) {
      if (part.stems[name].length !== (part.end - part.start) * CHANNELS) {
        throw new Error(`chunk at ${part.start} has a ${name} stem of the wrong length`);
      }
    }
  }
  return stemsFromBlocks(frames, ordered);
}

/** Sums the chosen stems and clips to 16 bits: all four give the input back, all but vocals the karaoke track. */
export function mixStems(stems: Stems, chosen: readonly StemName[]): Int16Array {
  const length = stems[STEM_NAMES[0]].length;
  const out = new Int16Array(length);
  const sources = chosen.map((name) => stems[name]);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const source of sources) sum += source[i];
    out[i] = Math.min(32767, Math.max(sum, -32768));
  }
  return out;
}
