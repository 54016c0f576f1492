/**
 * Centred moving sums over [i - h, i + h], zero outside the array. Inputs are whole numbers and the running
 * sum stays exact in float64, so the value at i does not depend on where the array starts: that is what
 * makes a chunk with enough context give bit-identical output to the whole song.
 */
export function boxSum(x: Float64Array, h: number): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  let sum = 0;
  for (let j = 0; j <= h && j < n; j++) sum += x[j];
  for (let i = 0; i < n; i++) {
    y[i] = sum;
    const enter = i + 1 + h;
    const leave = i - h;
    if (enter < n) sum += x[enter];
    if (leave >= 0) sum -= x[leave];
  }
  return y;
}

/** Three cascaded boxes: a near-Gaussian low-pass with support ±3h. Returns the mean, not the sum. */
export function lowPass(x: Float64Array, h: number): Float64Array {
  const width = 2 * h + 1;
  const y = boxSum(boxSum(boxSum(x, h), h), h);
  const norm = width * width * width;
  for (let i = 0; i < y.length; i++) y[i] /= norm;
  return y;
}
