/**
 * How alike a bin is in the two channels, from -1 (opposite) through 0 (one channel silent) to 1 (equal in
 * level and phase): 1 - |L - R|² / (|L|² + |R|²). A voice mixed dead centre scores 1; an instrument panned
 * 1 : 0.3 scores about 0.55, whatever its level.
 */
export function similarity(lr: number, li: number, rr: number, ri: number): number {
  const power = lr * lr + li * li + rr * rr + ri * ri;
  if (power === 0) return 0;
  const dr = lr - rr;
  const di = li - ri;
  return 1 - (dr * dr + di * di) / power;
}

/** The share of a bin given to the centre: none up to `floor` similarity, rising linearly to all at 1. */
export function centreShare(similarity: number, floor: number): number {
  return Math.max(0, (similarity - floor) / (1 - floor));
}

/**
 * A soft two-way split, a Wiener weight on squared magnitudes: near 1 when `ours` dominates `theirs`, 1/2
 * when they are equal; an empty bin is split evenly.
 */
export function share(ours: number, theirs: number): number {
  const a = ours * ours;
  const b = theirs * theirs;
  return a + b === 0 ? 0.5 : a / (a + b);
}

/** 1 below `from` Hz, 0 above `to` Hz, a raised-cosine slope between. */
export function lowShelf(hz: number, from: number, to: number): number {
  if (hz <= from) return 1;
  if (hz >= to) return 0;
  return 0.5 + 0.5 * Math.cos((Math.PI * (hz - from)) / (to - from));
}

/** Assumed fall of a bass note's overtones: each harmonic number down by half (6 dB) from the one before. */
const OVERTONE_FALL = 0.5;

/**
 * How much of bin `b` (above the bass band) the bass's own overtones explain: a bass note at b/2 or b/3 that
 * is loud enough, after the assumed overtone fall, to account for the bin. Centred and steady, those
 * overtones otherwise pass every test for a voice. Fourth powers make the split decisive either way.
 */
export function bassOvertoneShare(magnitudes: Float64Array, bassBand: Float64Array, b: number): number {
  let explained = 0;
  for (let harmonic = 2; harmonic <= 3; harmonic++) {
    const fundamental = Math.floor(b / harmonic);
    // The fundamental lies between two bins; the window spreads it over both.
    const note = Math.max(magnitudes[fundamental], magnitudes[fundamental + 1]) * bassBand[fundamental];
    explained = Math.max(explained, note * OVERTONE_FALL ** (harmonic - 1));
  }
  return explained === 0 ? 0 : share(explained * explained, magnitudes[b] * magnitudes[b]);
}
