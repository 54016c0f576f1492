import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getEngine } from "../audio/engines/index.js";
import { decodeToPcm, encodeMp3 } from "../audio/ffmpeg.js";
import { mixStems } from "../audio/merge.js";
import { CHANNELS, SAMPLE_RATE, STEM_NAMES, type StemName } from "../audio/pcm.js";
import { separateWhole } from "../audio/separate-chunk.js";
import { encodeWav } from "../audio/wav.js";
import { parseFlags, SETTINGS, SettingError } from "../config/settings.js";
import { seconds } from "../log/logger.js";
import { runMain } from "./run-main.js";

/**
 * The single-process reference: the same engine on the whole song at once, no broker. Writes one WAV per stem
 * and final.wav/final.mp3 of the chosen tracks; the distributed result must equal it.
 *   npm run separate -- --input song.mp3 --out DIR [--tracks drums,bass,other] [--engine stft|dsp]
 */
runMain(async () => {
  const flags = parseFlags(process.argv.slice(2));
  const input = flags.get("input");
  const out = flags.get("out");
  if (!input || !out)
    throw new SettingError(
      "usage: npm run separate -- --input FILE --out DIR [--tracks a,b] [--engine stft|dsp]",
    );
  const tracks = (flags.get("tracks") ?? STEM_NAMES.join(",")).split(",") as StemName[];
  const bad = tracks.find((t) => !STEM_NAMES.includes(t));
  if (bad)
    throw new SettingError(
      `bad setting --tracks="${flags.get("tracks")}": "${bad}" is not one of ${STEM_NAMES.join(", ")}`,
    );
  // ENGINE as for the workers, so a reference made beside a cluster uses the same engine unless told otherwise.
  const engine = getEngine(flags.get("engine") ?? process.env.ENGINE ?? SETTINGS.engine.default);
  const started = Date.now();
  const song = await decodeToPcm(input);
  const stems = separateWhole(engine, song);
  mkdirSync(out, { recursive: true });
  for (const name of STEM_NAMES) writeFileSync(join(out, `${name}.wav`), encodeWav(mixStems(stems, [name])));
  writeFileSync(join(out, "final.wav"), encodeWav(mixStems(stems, tracks)));
  await encodeMp3(join(out, "final.wav"), join(out, "final.mp3"));
  process.stdout.write(
    `reference: ${(song.length / CHANNELS / SAMPLE_RATE).toFixed(2)}[s] of audio separated in ${seconds(Date.now() - started)} into ${out}\n`,
  );
  return async () => {};
});
