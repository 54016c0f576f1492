import { STEM_NAMES, type StemName, type Stems } from "./pcm.js";

/** Signal-to-noise ratio in dB of `estimate` against `reference` (same length, any sample type). */
export function snrDb(reference: ArrayLike<number>, estimate: ArrayLike<number>): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i] * reference[i];
    const error = reference[i] - estimate[i];
    noise += error * error;
  }
  return 10 * Math.log10(signal / noise);
}

/** How well separated stems match known ones, in what a karaoke user hears: the voice and the backing. */
export function separationQuality(truth: Stems, separated: Stems): { vocalsDb: number; karaokeDb: number } {
  const karaoke = STEM_NAMES.filter((name) => name !== "vocals");
  return {
    vocalsDb: snrDb(truth.vocals, separated.vocals),
    karaokeDb: snrDb(sumOf(truth, karaoke), sumOf(separated, karaoke)),
  };
}

/** Unclipped, unlike the karaoke track a user downloads: clipping is not the separator's error. */
function sumOf(stems: Stems, names: readonly StemName[]): Float64Array {
  const out = new Float64Array(stems[names[0]].length);
  for (const name of names) for (let i = 0; i < out.length; i++) out[i] += stems[name][i];
  return out;
}
