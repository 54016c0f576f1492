import { describe, expect, it } from "vitest";
import { KNOWN_STEMS_SONGS, knownStemsSong } from "../../src/audio/known-stems-song.js";
import { CHANNELS, SAMPLE_RATE } from "../../src/audio/pcm.js";

describe.each(KNOWN_STEMS_SONGS)("known-stems song $name", (recipe) => {
  const song = knownStemsSong(recipe);

  it("is at least 10 s of stereo, and its stems sum to the mix exactly, below full scale", () => {
    expect(recipe.seconds).toBeGreaterThanOrEqual(10);
    expect(song.mix.length).toBe(Math.round(recipe.seconds * SAMPLE_RATE) * CHANNELS);
    let peak = 0;
    for (let i = 0; i < song.mix.length; i++) {
      const sum = song.stems.drums[i] + song.stems.bass[i] + song.stems.vocals[i] + song.stems.other[i];
      if (sum !== song.mix[i]) expect.fail(`sample ${i}: stems sum to ${sum}, mix is ${song.mix[i]}`);
      peak = Math.max(peak, Math.abs(sum));
    }
    expect(peak).toBeLessThan(32767);
    expect(peak).toBeGreaterThan(20000);
  });

  it("has its voice and bass dead centre and its other instruments off centre", () => {
    const sideShare = (x: Int32Array) => {
      let side = 0;
      let all = 0;
      for (let i = 0; i < x.length; i += 2) {
        side += (x[i] - x[i + 1]) ** 2;
        all += x[i] ** 2 + x[i + 1] ** 2;
      }
      return side / all;
    };
    expect(sideShare(song.stems.vocals)).toBe(0);
    expect(sideShare(song.stems.bass)).toBe(0);
    expect(sideShare(song.stems.other)).toBeGreaterThan(0.3);
  });

  it("is the same every time", () => {
    expect(Buffer.from(knownStemsSong(recipe).mix.buffer).equals(Buffer.from(song.mix.buffer))).toBe(true);
  });
});

it("songs differ", () => {
  const [a, b] = KNOWN_STEMS_SONGS.map((recipe) => knownStemsSong({ ...recipe, seconds: 1 }).mix);
  expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(false);
});
