import FFT from "fft.js";

/**
 * Spectra of two real channels through one complex FFT each way: a real signal's spectrum is Hermitian, so
 * left + i·right can be split after the forward transform and two masked spectra joined before the inverse.
 * Spectra are bins 0..size/2 as separate real and imaginary arrays.
 */
export class StereoFft {
  readonly bins: number;
  private readonly fft: FFT;
  private readonly spectrum: Float64Array;
  private readonly signal: Float64Array;

  constructor(readonly size: number) {
    this.bins = size / 2 + 1;
    this.fft = new FFT(size);
    this.spectrum = new Float64Array(2 * size);
    this.signal = new Float64Array(2 * size);
  }

  /** `packed`: interleaved (left, right) time samples, as readStereoFrame writes them. */
  forward(packed: Float64Array, left: Spectrum, right: Spectrum): void {
    const z = this.spectrum;
    this.fft.transform(z, packed);
    const n = this.size;
    for (let b = 0; b < this.bins; b++) {
      const m = (n - b) % n;
      const a = z[2 * b];
      const bi = z[2 * b + 1];
      const c = z[2 * m];
      const d = z[2 * m + 1];
      left.re[b] = (a + c) / 2;
      left.im[b] = (bi - d) / 2;
      right.re[b] = (bi + d) / 2;
      right.im[b] = (c - a) / 2;
    }
  }

  /** Time signals of two spectra, written to `left` and `right` (each `size` long). */
  inverse(leftSpectrum: Spectrum, rightSpectrum: Spectrum, left: Float64Array, right: Float64Array): void {
    const z = this.signal;
    const n = this.size;
    const { re: ar, im: ai } = leftSpectrum;
    const { re: br, im: bi } = rightSpectrum;
    for (let b = 0; b < this.bins; b++) {
      z[2 * b] = ar[b] - bi[b];
      z[2 * b + 1] = ai[b] + br[b];
    }
    for (let b = this.bins; b < n; b++) {
      const m = n - b;
      z[2 * b] = ar[m] + bi[m];
      z[2 * b + 1] = br[m] - ai[m];
    }
    const out = this.spectrum;
    this.fft.inverseTransform(out, z);
    for (let j = 0; j < n; j++) {
      left[j] = out[2 * j];
      right[j] = out[2 * j + 1];
    }
  }
}

export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

export const emptySpectrum = (bins: number): Spectrum => ({
  re: new Float64Array(bins),
  im: new Float64Array(bins),
});
