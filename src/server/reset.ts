import type { Logger } from "../log/logger.js";
import type { MusicService } from "./music-service.js";
import type { ResultCollector } from "./result-collector.js";
import type { SongPipeline } from "./song-pipeline.js";
import type { StateStore } from "./state-store.js";

/**
 * What a reset touches: the state, the songs' background work, the results being taken, their files, and the
 * workers' control topic.
 */
export interface ResetParts {
  store: StateStore;
  pipeline: Pick<SongPipeline, "settled">;
  collector: Pick<ResultCollector, "drained">;
  music: Pick<MusicService, "removeFiles" | "announceEpoch">;
  log: Logger;
}

/**
 * POST /reset: every song and job is forgotten under a new epoch, saved first so a restart cannot bring them
 * back; then their files go. Returns how many jobs were in flight (cancelled, not acknowledged as done).
 */
export async function resetAll({ store, pipeline, collector, music, log }: ResetParts): Promise<number> {
  const state = store.state;
  const inFlight = Object.values(state.jobs).filter((j) => !j.accepted).length;
  const songs = Object.keys(state.music).map(Number);
  state.epoch++;
  state.music = {};
  state.jobs = {};
  await store.save();
  // Before the files go (seconds for gigabytes): workers stop the cancelled jobs in hand and drop those queued; any
  // result that still comes back is for no job and is dropped too.
  music
    .announceEpoch(state.epoch)
    .catch((error: Error) => log.warn(`Server: reset not announced: ${error.message}`));
  // A merge still writing a removed song's files would refill its folder as it is deleted (found by the soak,
  // seed 5050: the reset answered 500 "ENOTEMPTY" after it had already cleared the state).
  await pipeline.settled(songs);
  // So would a result being written as it is deleted (rm fails with ENOTEMPTY; the likely cause of a reset's 500
  // in a CI rehearsal). Each one handled from now on finds its job gone and is dropped, so this waits at most for
  // those already past that check.
  await collector.drained();
  await Promise.all(songs.map((id) => music.removeFiles(id)));
  log.warn(
    `Server: reset: ${songs.length} songs removed, ${inFlight} jobs in flight cancelled (not acknowledged as done)`,
  );
  return inFlight;
}
