import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareWavs } from "../../src/audio/compare-wav.js";
import { decodeToPcm } from "../../src/audio/ffmpeg.js";
import { CHANNELS, STEM_NAMES } from "../../src/audio/pcm.js";
import { type Checker, finishingSongs, type JudgedSong, type Verdict } from "./checker.js";

/** An MP3 decodes to its WAV's length give or take one MPEG frame of encoder delay and padding. */
const MP3_FRAME = 1152;

interface Compared {
  file: string;
  samples?: number;
  referenceSamples?: number;
  maxDifference?: number;
  problem?: string;
}

/**
 * Every stem and the chosen mix of every song that had to finish, as the server served them and the harness
 * saved them, against the single-process reference on the same song and choice: ±1 LSB, the exact sample count. The MP3 must decode to the
 * mix's length. Re-judged from the files by `npm run report`.
 */
export const outputOracle: Checker = {
  name: "output-oracle",
  judgesFrom: ["outputs"],
  trustsBroker: true,
  title:
    "every stem and the chosen mix equal the single-process reference (±1 LSB, exact length); the MP3 decodes to that length",
  async check(input) {
    const songs = finishingSongs(input);
    if (songs.length === 0) return { status: "pass", summary: "no song had to finish" };
    const judged = [];
    for (const song of songs) judged.push({ song: song.label, ...(await compareSong(input.dir, song)) });
    const failed = judged.find((j) => j.status === "fail");
    const unknown = judged.find((j) => j.status === "unknown");
    const worst = failed ?? unknown;
    return {
      status: worst?.status ?? "pass",
      summary: worst
        ? `${songs.length > 1 ? `song ${worst.song}: ` : ""}${worst.summary}`
        : judged.map((j) => (songs.length > 1 ? `${j.song}: ${j.summary}` : j.summary)).join("; "),
      witness: worst?.witness,
      figures: {
        songs: judged.length,
        maxDifferenceLsb: Math.max(0, ...judged.map((j) => Number(j.figures?.maxDifferenceLsb ?? 0))),
        samples: judged[0]?.figures?.samples ?? null,
      },
    };
  },
};

/** One song's files against its reference. */
async function compareSong(dir: string, song: JudgedSong): Promise<Omit<Verdict, "check" | "title" | "ok">> {
  if (song.output.error) return { status: "fail", summary: song.output.error, witness: song.output };
  const out = join(dir, song.output.dir);
  const ref = join(dir, song.reference.dir);
  if (song.reference.error || !existsSync(join(ref, "final.wav")))
    return {
      status: "unknown",
      summary: `no reference to compare with: ${song.reference.error ?? `${song.reference.dir}/final.wav is missing`}`,
    };
  const compared: Compared[] = [];
  for (const file of [...STEM_NAMES.map((s) => `${s}.wav`), "final.wav"]) {
    if (!existsSync(join(out, file))) {
      compared.push({ file, problem: "not served" });
      continue;
    }
    const c = compareWavs(readFileSync(join(out, file)), readFileSync(join(ref, file)));
    const problem =
      c.maxDifference === undefined
        ? `length ${c.samples} samples, reference ${c.referenceSamples}`
        : c.maxDifference > 1
          ? `differs by up to ${c.maxDifference} LSB`
          : undefined;
    compared.push({ file, ...c, problem });
  }
  const mix = compared.find((c) => c.file === "final.wav");
  try {
    const mp3 = await decodeToPcm(join(out, "final.mp3"));
    const frames = mp3.length / CHANNELS;
    const expected = (mix?.referenceSamples ?? 0) / CHANNELS;
    compared.push({
      file: "final.mp3",
      samples: mp3.length,
      referenceSamples: mix?.referenceSamples,
      problem:
        Math.abs(frames - expected) > MP3_FRAME
          ? `decodes to ${frames} frames, the mix has ${expected}`
          : undefined,
    });
  } catch (e) {
    compared.push({ file: "final.mp3", problem: `does not decode: ${(e as Error).message}` });
  }
  const bad = compared.filter((c) => c.problem);
  const largest = Math.max(0, ...compared.map((c) => c.maxDifference ?? 0));
  return {
    status: bad.length === 0 ? "pass" : "fail",
    summary:
      bad.length === 0
        ? `${compared.length} files match: ${mix?.samples} samples in the mix, largest difference ${largest} LSB`
        : bad.map((c) => `${c.file}: ${c.problem}`).join("; "),
    witness: bad.length === 0 ? undefined : compared,
    figures: { maxDifferenceLsb: largest, samples: mix?.samples ?? null },
  };
}
