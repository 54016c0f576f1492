import { decodeWav } from "./wav.js";

export interface WavComparison {
  samples: number;
  referenceSamples: number;
  /** Largest per-sample difference; undefined when the lengths differ (then they are never equal). */
  maxDifference?: number;
}

/** Compares a 16-bit WAV with a reference, decoding each once. */
export function compareWavs(output: Buffer, reference: Buffer): WavComparison {
  const x = decodeWav(output).samples;
  const y = decodeWav(reference).samples;
  if (x.length !== y.length) return { samples: x.length, referenceSamples: y.length };
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return { samples: x.length, referenceSamples: y.length, maxDifference: max };
}

/** Largest per-sample difference between two 16-bit WAVs; throws when their lengths differ. */
export function maxDifference(a: Buffer, b: Buffer): number {
  const { samples, referenceSamples, maxDifference: max } = compareWavs(a, b);
  if (max === undefined) throw new Error(`lengths differ: ${samples} vs ${referenceSamples} samples`);
  return max;
}
