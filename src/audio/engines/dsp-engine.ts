import { CHANNELS, type Stems } from "../pcm.js";
import { boxSum, lowPass } from "./box-filter.js";
import type { SeparationEngine } from "./engine.js";

/** Half-widths in frames at 44.1 kHz. Bass: below ~130 Hz. Vocal band: ~130 Hz to ~4 kHz. */
const BASS_H = 73;
const BAND_H = 2;
const ENERGY_H = 512;

/**
 * A model-free separator (no model can be downloaded here): bass is the low band of the centre, vocals the
 * mid band of the centre weighted by how centred it is (mid vs side energy), drums the high band, and other
 * the exact remainder. Crude as separation, but deterministic, local (radius below) and lossless: the four
 * stems always sum to the input.
 */
export const dspEngine: SeparationEngine = {
  name: "dsp",
  radius: 3 * BASS_H + ENERGY_H + 64,
  separate(mix: Int16Array): Stems {
    const frames = mix.length / CHANNELS;
    const left = new Float64Array(frames);
    const right = new Float64Array(frames);
    const mid2 = new Float64Array(frames);
    const side2 = new Float64Array(frames);
    for (let i = 0; i < frames; i++) {
      left[i] = mix[2 * i];
      right[i] = mix[2 * i + 1];
      mid2[i] = left[i] + right[i];
      side2[i] = left[i] - right[i];
    }
    const midLow = lowPass(mid2, BASS_H);
    const midBand = band(mid2, midLow);
    const sideBand = band(side2, lowPass(side2, BASS_H));
    const midEnergy = boxSum(squares(midBand), ENERGY_H);
    const sideEnergy = boxSum(squares(sideBand), ENERGY_H);
    const leftHigh = lowPass(left, BAND_H);
    const rightHigh = lowPass(right, BAND_H);

    const stems: Stems = {
      drums: new Int32Array(mix.length),
      bass: new Int32Array(mix.length),
      vocals: new Int32Array(mix.length),
      other: new Int32Array(mix.length),
    };
    for (let i = 0; i < frames; i++) {
      const bass = Math.round(midLow[i] / 2);
      const total = midEnergy[i] + sideEnergy[i];
      const centred = total > 0 ? Math.min(1, Math.max(0, (2 * midEnergy[i]) / total - 1)) : 0;
      const vocals = Math.round(centred * centred * midBand[i]);
      const drumsL = left[i] - Math.round(leftHigh[i]);
      const drumsR = right[i] - Math.round(rightHigh[i]);
      stems.bass[2 * i] = stems.bass[2 * i + 1] = bass;
      stems.vocals[2 * i] = stems.vocals[2 * i + 1] = vocals;
      stems.drums[2 * i] = drumsL;
      stems.drums[2 * i + 1] = drumsR;
      stems.other[2 * i] = left[i] - drumsL - bass - vocals;
      stems.other[2 * i + 1] = right[i] - drumsR - bass - vocals;
    }
    return stems;
  },
};

/** The vocal band of a doubled channel (L+R or L-R), rounded to whole per-channel units. */
function band(doubled: Float64Array, low: Float64Array): Float64Array {
  const high = lowPass(doubled, BAND_H);
  const out = new Float64Array(doubled.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round((high[i] - low[i]) / 2);
  return out;
}

function squares(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * x[i];
  return out;
}
