import { describe, expect, it } from "vitest";
import { ENGINES } from "../../src/audio/engines/index.js";
import { stftEngine } from "../../src/audio/engines/stft-engine.js";
import { KNOWN_STEMS_SONGS, knownStemsSong } from "../../src/audio/known-stems-song.js";
import { CHANNELS, STEM_NAMES } from "../../src/audio/pcm.js";
import { separateWhole } from "../../src/audio/separate-chunk.js";
import { separationQuality } from "../../src/audio/separation-quality.js";

const bytes = (x: Int32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

describe.each(KNOWN_STEMS_SONGS)("stft on the known-stems song $name", (recipe) => {
  const song = knownStemsSong(recipe);
  const stems = separateWhole(stftEngine, song.mix);

  it("gives stems that sum to the mix exactly", () => {
    for (let i = 0; i < song.mix.length; i++) {
      const sum = stems.drums[i] + stems.bass[i] + stems.vocals[i] + stems.other[i];
      if (sum !== song.mix[i]) expect.fail(`sample ${i}: stems sum to ${sum}, mix is ${song.mix[i]}`);
    }
  });

  it("finds the voice (vocals ≥ 8 dB SNR) and the backing (karaoke ≥ 12 dB SNR)", () => {
    const figures = Object.values(ENGINES).map((engine) => {
      const quality = separationQuality(song.stems, separateWhole(engine, song.mix));
      return `${engine.name} vocals ${quality.vocalsDb.toFixed(1)} dB, karaoke ${quality.karaokeDb.toFixed(1)} dB`;
    });
    console.log(`${recipe.name}: ${figures.join("; ")}`);
    const quality = separationQuality(song.stems, stems);
    expect(quality.vocalsDb).toBeGreaterThanOrEqual(8);
    expect(quality.karaokeDb).toBeGreaterThanOrEqual(12);
  });
});

describe("stft engine", () => {
  const { mix } = knownStemsSong({ ...KNOWN_STEMS_SONGS[0], seconds: 2 });

  it("is deterministic", () => {
    const first = stftEngine.separate(mix, 0);
    const again = stftEngine.separate(mix, 0);
    for (const name of STEM_NAMES) expect(bytes(again[name]).equals(bytes(first[name]))).toBe(true);
  });

  it("cuts frames on the song's grid: a slice told its offset matches the whole song away from its edges", () => {
    const whole = stftEngine.separate(mix, 0);
    const from = 20_001;
    const to = from + 2 * stftEngine.radius + 1000;
    const part = stftEngine.separate(mix.subarray(from * CHANNELS, to * CHANNELS), from);
    const inner = [(from + stftEngine.radius) * CHANNELS, (to - stftEngine.radius) * CHANNELS];
    for (const name of STEM_NAMES) {
      const expected = whole[name].subarray(inner[0], inner[1]);
      const got = part[name].subarray(inner[0] - from * CHANNELS, inner[1] - from * CHANNELS);
      expect(bytes(got).equals(bytes(expected))).toBe(true);
    }
    // The same slice placed elsewhere on the grid is analysed differently.
    const shifted = stftEngine.separate(mix.subarray(from * CHANNELS, to * CHANNELS), from + 100);
    expect(bytes(shifted.vocals).equals(bytes(part.vocals))).toBe(false);
  });

  it("gives silence for silence", () => {
    const stems = stftEngine.separate(new Int16Array(10_000), 12_345);
    for (const name of STEM_NAMES) expect(stems[name].every((v) => v === 0)).toBe(true);
  });
});
