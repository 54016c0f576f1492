import { dspEngine } from "../../src/audio/engines/dsp-engine.js";
import { SEPARATING_ENGINES } from "../../src/audio/engines/index.js";
import { KNOWN_STEMS_SONGS, knownStemsSong } from "../../src/audio/known-stems-song.js";
import { CHANNELS, SAMPLE_RATE } from "../../src/audio/pcm.js";
import { separateWhole } from "../../src/audio/separate-chunk.js";
import { separationQuality } from "../../src/audio/separation-quality.js";
import { type Benchmark, type Figure, figure } from "../suite/benchmark.js";

const SECONDS = 180;

/** dB are logarithms: a ratio means something only of the powers behind them. */
const power = (db: number) => 10 ** (db / 10);

/**
 * Each engine other than dsp against dsp on the generated songs with known stems: SNR of the vocals and of the
 * karaoke track against the truth (as power ratios, so 2× is 3 dB), and its time over 180 s of audio.
 */
export const separationQualityBenchmark: Benchmark = {
  name: "separation",
  description: "vocals and karaoke SNR against the known stems, and time for 180 s, each engine against dsp",
  async run() {
    const figures: Figure[] = [];
    const others = SEPARATING_ENGINES.filter((engine) => engine !== dspEngine);
    for (const recipe of KNOWN_STEMS_SONGS) {
      const song = knownStemsSong(recipe);
      const base = separationQuality(song.stems, separateWhole(dspEngine, song.mix));
      for (const engine of others) {
        const got = separationQuality(song.stems, separateWhole(engine, song.mix));
        const db = (name: string, value: number, baseline: number, goal: number) =>
          figure(
            `${engine.name}: ${name} SNR, ${recipe.name}`,
            "dB",
            value,
            { label: "dsp", value: baseline },
            "higher",
            { text: `≥ ${goal} dB`, reached: (v) => v >= goal },
            power,
          );
        figures.push(
          db("vocals", got.vocalsDb, base.vocalsDb, 8),
          db("karaoke", got.karaokeDb, base.karaokeDb, 12),
        );
      }
    }
    // The first song over and over: the time depends on the length, not on what is sung.
    const { mix } = knownStemsSong(KNOWN_STEMS_SONGS[0]);
    const long = new Int16Array(SECONDS * SAMPLE_RATE * CHANNELS);
    for (let at = 0; at < long.length; at += mix.length) long.set(mix.subarray(0, long.length - at), at);
    const timed = (engine: (typeof others)[number]) => {
      const started = performance.now();
      separateWhole(engine, long);
      return (performance.now() - started) / 1000;
    };
    const dspSeconds = timed(dspEngine);
    for (const engine of others)
      figures.push(
        figure(
          `${engine.name}: ${SECONDS} s of audio separated`,
          "s",
          timed(engine),
          { label: "dsp", value: dspSeconds },
          "lower",
        ),
      );
    return figures;
  },
};
