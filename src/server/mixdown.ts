import { readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Mp3Encoder, mp3Encoder } from "../audio/ffmpeg.js";
import { inSongOrder, mixStems } from "../audio/merge.js";
import { asBuffer, CHANNELS, STEM_NAMES, type StemName } from "../audio/pcm.js";
import { stemBlocks } from "../audio/stem-blocks.js";
import { wavHeader } from "../audio/wav.js";
import { openAtomic } from "./atomic-write.js";
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
 * Merge: the accepted result of every chunk, in song order (refusing gaps, repeats and wrong lengths), into one
 * WAV per stem, served as the instrument tracks, final.wav of the chosen ones and final.mp3 of it, encoded while
 * the merge goes on. A chunk's result is read whole but decoded a block at a time, each block's outputs written
 * before the next is decoded, so the memory it takes is one compact result and one block's stems, whatever the
 * song's and the chunks' length.
 */
export async function mixdown(plan: MixdownPlan): Promise<void> {
  const chunks = inSongOrder(plan.frames, plan.chunks);
  const outputs = [
    ...STEM_NAMES.map((name) => ({ name: `${name}.wav`, chosen: [name] })),
    { name: "final.wav", chosen: plan.chosen },
  ];
  const mp3 = outputIn(plan.musicDir, "final.mp3");
  const files = await Promise.all(outputs.map((o) => openAtomic(outputIn(plan.musicDir, o.name))));
  const encoding = `${mp3}.tmp.mp3`;
  let encoder: Mp3Encoder | undefined;
  try {
    try {
      encoder = mp3Encoder(encoding);
      const header = wavHeader(plan.frames * CHANNELS * 2);
      await Promise.all(files.map((file) => file.write(header)));
      for (const { jobId, start, end } of chunks) {
        for (const { stems } of stemBlocks(await readFile(resultIn(plan.musicDir, jobId)), end - start)) {
          const mixes = outputs.map((o) => asBuffer(mixStems(stems, o.chosen)));
          await Promise.all([...files.map((file, k) => file.write(mixes[k])), encoder.write(mixes[FINAL])]);
        }
      }
      await encoder.finish();
    } catch (error) {
      await Promise.all([...files.map((file) => file.abort()), encoder?.abort()]);
      throw error;
    }
    await Promise.all(files.map((file) => file.commit()));
    await rename(encoding, mp3);
  } finally {
    // Gone already when all went well; otherwise a half-encoded MP3 must not stay.
    await rm(encoding, { force: true });
  }
}

/** Where final.wav is among mixdown's outputs (after the four stems). */
const FINAL = STEM_NAMES.length;
