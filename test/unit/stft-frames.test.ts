import { describe, expect, it } from "vitest";
import {
  framesOverlapping,
  HANN_SQUARED_OVERLAP,
  periodicHann,
  readStereoFrame,
} from "../../src/audio/engines/stft-frames.js";

describe("periodicHann", () => {
  it("squared, at a quarter hop, sums to 3/2 at every sample", () => {
    const size = 64;
    const w = periodicHann(size);
    for (let t = 0; t < size; t++) {
      let sum = 0;
      for (let shift = 0; shift < size; shift += size / 4) sum += w[(t + shift) % size] ** 2;
      expect(sum).toBeCloseTo(HANN_SQUARED_OVERLAP, 12);
    }
  });

  it("is periodic: zero at the start, one in the middle, symmetric about it", () => {
    const w = periodicHann(8);
    expect(w[0]).toBe(0);
    expect(w[4]).toBe(1);
    expect(w[1]).toBeCloseTo(w[7], 15);
  });
});

describe("framesOverlapping", () => {
  it.each([
    [0, 100, -3, 0],
    [0, 513, -3, 1],
    [1000, 24, -2, 1],
    [1024, 1, -1, 2],
    [5000, 10_000, 6, 29],
  ])("input at %i, %i frames long: frames %i..%i", (offset, frames, first, last) => {
    expect(framesOverlapping(offset, frames, 2048, 512)).toEqual({ first, last });
  });

  it("lists exactly the frames sharing a sample with the input", () => {
    for (const offset of [0, 1, 511, 512, 777, 4096]) {
      const frames = 1500;
      const { first, last } = framesOverlapping(offset, frames, 2048, 512);
      const overlaps = (k: number) => k * 512 < offset + frames && k * 512 + 2048 > offset;
      expect(overlaps(first) && overlaps(last)).toBe(true);
      expect(overlaps(first - 1) || overlaps(last + 1)).toBe(false);
    }
  });
});

describe("readStereoFrame", () => {
  it("windows both channels into one complex signal, silence outside the input", () => {
    const window = Float64Array.from({ length: 8 }, (_, j) => j + 1);
    // Song frames 10..13, left = 100 + frame, right = -frame.
    const mix = Int16Array.from([110, -10, 111, -11, 112, -12, 113, -13]);
    const packed = new Float64Array(16);
    // Frame 3 at hop 4 covers song frames 12..19: 12 and 13 are in the input.
    readStereoFrame(mix, 10, 3, 4, window, packed);
    expect(Array.from(packed)).toEqual([112, -12, 226, -26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Frame 2 covers 8..15: 10..13 are in.
    readStereoFrame(mix, 10, 2, 4, window, packed);
    expect(Array.from(packed)).toEqual([0, 0, 0, 0, 330, -30, 444, -44, 560, -60, 678, -78, 0, 0, 0, 0]);
  });
});
