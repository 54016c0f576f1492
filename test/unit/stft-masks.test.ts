import { describe, expect, it } from "vitest";
import {
  bassOvertoneShare,
  centreShare,
  lowShelf,
  share,
  similarity,
} from "../../src/audio/engines/stft-masks.js";

describe("similarity", () => {
  it("is 1 for a centred bin, 0 for one channel alone, -1 for opposite channels", () => {
    expect(similarity(3, -4, 3, -4)).toBe(1);
    expect(similarity(3, -4, 0, 0)).toBe(0);
    expect(similarity(3, -4, -3, 4)).toBe(-1);
    expect(similarity(0, 0, 0, 0)).toBe(0);
  });

  it("falls with level difference and with phase difference, whatever the level", () => {
    expect(similarity(1, 0, 0.3, 0)).toBeCloseTo(1 - 0.49 / 1.09, 12);
    expect(similarity(1000, 0, 300, 0)).toBeCloseTo(similarity(1, 0, 0.3, 0), 12);
    // Same level, a quarter turn apart.
    expect(similarity(1, 0, 0, 1)).toBeCloseTo(0, 12);
  });
});

describe("centreShare", () => {
  it("is nothing up to the floor and rises linearly to all", () => {
    expect(centreShare(-1, 0.6)).toBe(0);
    expect(centreShare(0.6, 0.6)).toBe(0);
    expect(centreShare(0.8, 0.6)).toBeCloseTo(0.5, 12);
    expect(centreShare(1, 0.6)).toBe(1);
  });
});

describe("share", () => {
  it("weighs squared magnitudes and splits an empty bin evenly", () => {
    expect(share(3, 4)).toBeCloseTo(9 / 25, 12);
    expect(share(2, 2)).toBe(0.5);
    expect(share(0, 0)).toBe(0.5);
    expect(share(1, 0)).toBe(1);
  });
});

describe("lowShelf", () => {
  it("passes below, stops above, halfway in the middle of the slope", () => {
    expect(lowShelf(100, 120, 180)).toBe(1);
    expect(lowShelf(150, 120, 180)).toBeCloseTo(0.5, 12);
    expect(lowShelf(180, 120, 180)).toBe(0);
  });
});

describe("bassOvertoneShare", () => {
  const bins = 64;
  const bassBand = Float64Array.from({ length: bins }, (_, b) => (b < 8 ? 1 : 0));

  it("gives a bin to the bass when a loud bass note sits at half or a third of its frequency", () => {
    const magnitudes = new Float64Array(bins);
    magnitudes[5] = 100;
    magnitudes[10] = 30;
    magnitudes[15] = 10;
    // Overtones assumed to fall by half per harmonic: 50 expected at bin 10, 25 at bin 15.
    expect(bassOvertoneShare(magnitudes, bassBand, 10)).toBeCloseTo(50 ** 4 / (50 ** 4 + 30 ** 4), 12);
    expect(bassOvertoneShare(magnitudes, bassBand, 15)).toBeCloseTo(25 ** 4 / (25 ** 4 + 10 ** 4), 12);
  });

  it("leaves a bin much louder than any bass note could explain, and bins with no bass under them", () => {
    const magnitudes = new Float64Array(bins);
    magnitudes[5] = 10;
    magnitudes[10] = 100;
    magnitudes[40] = 100;
    expect(bassOvertoneShare(magnitudes, bassBand, 10)).toBeLessThan(0.01);
    expect(bassOvertoneShare(magnitudes, bassBand, 40)).toBe(0);
  });
});
