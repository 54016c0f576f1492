import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { encodeMp3 } from "../audio/ffmpeg.js";
import { mergeChunks, mixStems } from "../audio/merge.js";
import { STEM_NAMES, type StemName, type Stems } from "../audio/pcm.js";
import { decodeStems } from "../audio/stem-codec.js";
import { encodeWav } from "../audio/wav.js";
import { writeAtomic } from "./atomic-write.js";
import type { MusicRecord, StateStore } from "./state-store.js";

export const resultFile = (store: StateStore, musicId: number, jobId: number) =>
  join(store.musicDir(musicId), "results", `${jobId}.stems`);

export const outputFile = (store: StateStore, musicId: number, name: string) =>
  join(store.musicDir(musicId), "out", name);

/** Merge: the accepted result of every chunk, in order, into whole-song stems (refusing gaps and repeats). */
export async function mergeSong(store: StateStore, music: MusicRecord): Promise<Stems> {
  const parts = await Promise.all(
    store.jobsOf(music).map(async (job) => ({
      start: job.start,
      end: job.end,
      stems: decodeStems(await readFile(resultFile(store, music.music_id, job.job_id)), job.end - job.start),
    })),
  );
  return mergeChunks(music.frames, parts);
}

/** One WAV per stem, served as the instrument tracks. */
export async function writeTracks(store: StateStore, music: MusicRecord, stems: Stems): Promise<void> {
  await Promise.all(
    STEM_NAMES.map((name) =>
      writeAtomic(outputFile(store, music.music_id, `${name}.wav`), encodeWav(mixStems(stems, [name]))),
    ),
  );
}

/** The final mix of the chosen tracks, as WAV (exact) and MP3. */
export async function writeFinal(
  store: StateStore,
  music: MusicRecord,
  stems: Stems,
  chosen: readonly StemName[],
): Promise<void> {
  const wav = outputFile(store, music.music_id, "final.wav");
  await writeAtomic(wav, encodeWav(mixStems(stems, chosen)));
  const mp3 = outputFile(store, music.music_id, "final.mp3");
  await encodeMp3(wav, `${mp3}.tmp.mp3`);
  await rename(`${mp3}.tmp.mp3`, mp3);
}

export function chosenStems(music: MusicRecord): StemName[] {
  return music.tracks.filter((t) => music.selected.includes(t.track_id)).map((t) => t.name);
}
