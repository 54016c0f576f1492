import { describe, expect, it } from "vitest";
import { STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { separationQuality, snrDb } from "../../src/audio/separation-quality.js";

describe("snrDb", () => {
  it("is the reference's energy over the error's, in dB", () => {
    expect(snrDb([10, -10], [9, -9])).toBeCloseTo(20, 12);
    expect(snrDb([3, 4], [3, 4])).toBe(Number.POSITIVE_INFINITY);
    expect(snrDb([1, 1], [0, 0])).toBeCloseTo(0, 12);
  });
});

describe("separationQuality", () => {
  it("scores the vocals, and the other three stems together as the karaoke track, unclipped", () => {
    const stems = (values: Record<string, number[]>) =>
      Object.fromEntries(STEM_NAMES.map((name) => [name, Int32Array.from(values[name])])) as Stems;
    const truth = stems({ vocals: [100, 100], drums: [30_000, 0], bass: [30_000, 0], other: [0, 0] });
    // Drums and bass swapped: the karaoke track is still right; a tenth of the voice is lost to it.
    const separated = stems({ vocals: [90, 90], drums: [30_000, 0], bass: [30_010, 10], other: [0, 0] });
    const quality = separationQuality(truth, separated);
    expect(quality.vocalsDb).toBeCloseTo(20, 12);
    expect(quality.karaokeDb).toBeCloseTo(10 * Math.log10(60_000 ** 2 / 200), 12);
  });
});
