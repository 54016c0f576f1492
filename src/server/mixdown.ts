import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { encodeMp3 } from "../audio/ffmpeg.js";
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
 * WAV per stem, served as the instrument tracks, and final.wav of the chosen ones. A chunk's result is read whole
 * but decoded a block at a time, each block's outputs written before the next is decoded, so the memory it
 * takes is one compact result and one block's stems, whatever the song's and the chunks' length.
 */
export async function mixdown(plan: MixdownPlan): Promise<void> {
  const chunks = inSongOrder(plan.frames, plan.chunks);
  const outputs = [
    ...STEM_NAMES.map((name) => ({ name: `${name}.wav`, chosen: [name] })),
    { name: "final.wav", chosen: plan.chosen },
  ];
  const files = await Promise.all(outputs.map((o) => openAtomic(outputIn(plan.musicDir, o.name))));
  try {
    const header = wavHeader(plan.frames * CHANNELS * 2);
    await Promise.all(files.map((file) => file.write(header)));
    for (const { jobId, start, end } of chunks) {
      for (const { stems } of stemBlocks(await readFile(resultIn(plan.musicDir, jobId)), end - start)) {
        await Promise.all(outputs.map((o, k) => files[k].write(asBuffer(mixStems(stems, o.chosen)))));
      }
    }
  } catch (error) {
    await Promise.all(files.map((file) => file.abort()));
    throw error;
  }
  await Promise.all(files.map((file) => file.commit()));
}

/** final.mp3 from final.wav: ffmpeg, in a process of its own. */
export async function encodeFinalMp3(store: StateStore, musicId: number): Promise<void> {
  const mp3 = outputFile(store, musicId, "final.mp3");
  await encodeMp3(outputFile(store, musicId, "final.wav"), `${mp3}.tmp.mp3`);
  await rename(`${mp3}.tmp.mp3`, mp3);
}
