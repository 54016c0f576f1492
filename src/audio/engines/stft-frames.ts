/**
 * Periodic Hann: copies shifted by a quarter of its length sum, squared, to exactly 3/2 everywhere, so Hann
 * analysis with Hann synthesis at 75% overlap gives the input back when every mask is 1.
 */
export function periodicHann(size: number): Float64Array {
  const window = new Float64Array(size);
  for (let j = 0; j < size; j++) window[j] = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / size);
  return window;
}

/** Hann squared sums to this at a hop of a quarter window. */
export const HANN_SQUARED_OVERLAP = 1.5;

/**
 * The frames of the song's grid (frame k covers song frames [k*hop, k*hop + size)) that overlap the input
 * song frames [offset, offset + frames). The grid belongs to the song, not the chunk, so a chunk and the whole
 * song cut the same frames at the same places.
 */
export function framesOverlapping(
  offset: number,
  frames: number,
  size: number,
  hop: number,
): { first: number; last: number } {
  return { first: Math.ceil((offset - size + 1) / hop), last: Math.floor((offset + frames - 1) / hop) };
}

/**
 * Writes grid frame `k` of an interleaved stereo input, windowed, as one complex signal (left real, right
 * imaginary) so that one FFT transforms both channels. Song frames the input does not hold count as silence.
 */
export function readStereoFrame(
  mix: Int16Array,
  offset: number,
  k: number,
  hop: number,
  window: Float64Array,
  packed: Float64Array,
): void {
  const size = window.length;
  const from = k * hop - offset;
  const frames = mix.length / 2;
  for (let j = 0; j < size; j++) {
    const i = from + j;
    const inside = i >= 0 && i < frames;
    packed[2 * j] = inside ? window[j] * mix[2 * i] : 0;
    packed[2 * j + 1] = inside ? window[j] * mix[2 * i + 1] : 0;
  }
}
