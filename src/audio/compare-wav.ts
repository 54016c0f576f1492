import { decodeWav } from "./wav.js";

/** Largest per-sample difference between two 16-bit WAVs; throws when their lengths differ (never equal then). */
export function maxDifference(a: Buffer, b: Buffer): number {
  const x = decodeWav(a).samples;
  const y = decodeWav(b).samples;
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length} samples`);
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}
