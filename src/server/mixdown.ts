import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { encodeMp3 } from "../audio/ffmpeg.js";
import { mergeChunks, mixStems } from "../audio/merge.js";
import { STEM_NAMES, type StemName } from "../audio/pcm.js";
import { decodeStems } from "../audio/stem-codec.js";
import { encodeWav } from "../audio/wav.js";
import { writeAtomic } from "./atomic-write.js";
import type { MusicRecord, StateStore } from "./state-store.js";

const resultIn = (musicDir: string, jobId: number) => join(musicDir, "results", `${jobId}.stems`);
const outputIn = (musicDir: string, name: string) => join(musicDir, "out", name);

export const resultFile = (store: StateStore, musicId: number, jobId: number) =>
  resultIn(store.musicDir(musicId), jobId);

export const outputFile = (store: StateStore, musicId: number, name: string) =>
  outputIn(store.musicDir(musicId), name);

/** What a merge needs, as plain data (it runs on the CPU thread, away from the state). */
export interface MixdownPlan {
  musicDir: string;
  frames: number;
  chunks: Array<{ jobId: number; start: number; end: number }>;
  chosen: StemName[];
}

export function mixdownPlan(store: StateStore, music: MusicRecord): MixdownPlan {
  return {
    musicDir: store.musicDir(music.music_id),
    frames: music.frames,
    chunks: store.jobsOf(music).map((job) => ({ jobId: job.job_id, start: job.start, end: job.end })),
    chosen: music.tracks.filter((t) => music.selected.includes(t.track_id)).map((t) => t.name),
  };
}

/**
 * Merge: the accepted result of every chunk, in order, into whole-song stems (refusing gaps and repeats); then
 * one WAV per stem, served as the instrument tracks, and final.wav of the chosen ones.
 */
export async function mixdown(plan: MixdownPlan): Promise<void> {
  const parts = await Promise.all(
    plan.chunks.map(async ({ jobId, start, end }) => ({
      start,
      end,
      stems: decodeStems(await readFile(resultIn(plan.musicDir, jobId)), end - start),
    })),
  );
  const stems = mergeChunks(plan.frames, parts);
  await Promise.all(
    STEM_NAMES.map((name) =>
      writeAtomic(outputIn(plan.musicDir, `${name}.wav`), encodeWav(mixStems(stems, [name]))),
    ),
  );
  await writeAtomic(outputIn(plan.musicDir, "final.wav"), encodeWav(mixStems(stems, plan.chosen)));
}

/** final.mp3 from final.wav: ffmpeg, in a process of its own. */
export async function encodeFinalMp3(store: StateStore, musicId: number): Promise<void> {
  const mp3 = outputFile(store, musicId, "final.mp3");
  await encodeMp3(outputFile(store, musicId, "final.wav"), `${mp3}.tmp.mp3`);
  await rename(`${mp3}.tmp.mp3`, mp3);
}
