import { describe, expect, it } from "vitest";
import { emptySpectrum, StereoFft } from "../../src/audio/engines/stereo-fft.js";

/** The textbook DFT of a real signal, bins 0..n/2. */
function dft(x: number[]): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let b = 0; b <= n / 2; b++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += x[t] * Math.cos((2 * Math.PI * b * t) / n);
      i -= x[t] * Math.sin((2 * Math.PI * b * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe("StereoFft", () => {
  const size = 16;
  const left = Array.from({ length: size }, (_, t) => Math.sin(t * 1.3) * 100 + t);
  const right = Array.from({ length: size }, (_, t) => Math.cos(t * 0.7) * 50 - 3 * t);
  const packed = Float64Array.from(left.flatMap((l, t) => [l, right[t]]));

  it("splits one complex FFT into the spectra of both channels", () => {
    const fft = new StereoFft(size);
    const l = emptySpectrum(fft.bins);
    const r = emptySpectrum(fft.bins);
    fft.forward(packed, l, r);
    for (const [got, x] of [
      [l, left],
      [r, right],
    ] as const) {
      const want = dft(x);
      for (let b = 0; b < fft.bins; b++) {
        expect(got.re[b]).toBeCloseTo(want.re[b], 9);
        expect(got.im[b]).toBeCloseTo(want.im[b], 9);
      }
    }
  });

  it("inverts two spectra at once back to both channels", () => {
    const fft = new StereoFft(size);
    const l = emptySpectrum(fft.bins);
    const r = emptySpectrum(fft.bins);
    fft.forward(packed, l, r);
    const outL = new Float64Array(size);
    const outR = new Float64Array(size);
    fft.inverse(l, r, outL, outR);
    for (let t = 0; t < size; t++) {
      expect(outL[t]).toBeCloseTo(left[t], 9);
      expect(outR[t]).toBeCloseTo(right[t], 9);
    }
  });
});
