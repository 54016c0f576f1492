import type { Span } from "@opentelemetry/api";
import type { EventLog } from "../events/event-log.js";
import type { Logger } from "../log/logger.js";
import { seconds } from "../log/logger.js";
import { CpuThread } from "../process/cpu-thread.js";
import { LinkClosedError } from "../stomp/link.js";
import { endSpan, extractTrace, injectTrace, inSpan, tracer } from "../tracing/tracing.js";
import { HttpError } from "./http-error.js";
import { mixdownPlan } from "./mixdown.js";
import type { MusicService } from "./music-service.js";
import type { JobRecord, MusicRecord, StateStore } from "./state-store.js";

/**
 * A song's life after upload: tracks chosen → jobs → (results collected elsewhere) → merge → final mix.
 * Each transition is saved before the next begins, so recover() can pick up after a crash.
 */
export class SongPipeline {
  private readonly running = new Map<number, Promise<void>>();
  private readonly songSpans = new Map<number, Span>();
  private readonly cpu = new CpuThread();

  constructor(
    private readonly store: StateStore,
    private readonly music: MusicService,
    private readonly log: Logger,
    private readonly events: EventLog,
    /** JOB_RETRIES: how often a lost job is published again before its song fails. */
    private readonly retries: number,
  ) {}

  find(musicId: number): MusicRecord {
    const music = this.store.state.music[musicId];
    if (!music) throw new HttpError(404, `music ${musicId} not found`);
    return music;
  }

  /** POST /music/{id}: records the choice and starts the work; returns before it is done. */
  async choose(musicId: number, trackIds: number[]): Promise<MusicRecord> {
    const music = this.find(musicId);
    const unknown = trackIds.filter((id) => !music.tracks.some((t) => t.track_id === id));
    // 405 for an unknown track is the original's code; clients depend on it.
    if (unknown.length > 0)
      throw new HttpError(405, `track ${unknown.join(", ")} not found in music ${musicId}`);
    music.selected = [...new Set(trackIds)];
    if (music.status === "uploaded" || music.status === "failed") {
      music.requested_at = Date.now();
      this.startSongSpan(music);
      music.done_at = undefined;
      music.error = undefined;
      this.background(music, () => this.music.separate(music));
    } else if (music.status === "done") {
      // Stems are all in: only the mix is redone, and the song reads as not done until it is.
      music.status = "merging";
      music.requested_at = Date.now();
      this.startSongSpan(music);
      this.background(music, () => this.finish(music));
    }
    await this.store.save();
    return music;
  }

  /** Called when a chunk's result has been accepted; starts the merge exactly when the last one is in. */
  chunkAccepted(music: MusicRecord): void {
    const jobs = this.store.jobsOf(music);
    const done = jobs.filter((j) => j.accepted).length;
    this.log.info(`Server: Music[${music.music_id}] - Progress: ${this.progress(music)}%.`);
    if (done === jobs.length && music.status === "separating") {
      music.status = "merging";
      this.background(music, () => this.finish(music));
    }
  }

  fail(music: MusicRecord, reason: string): void {
    if (music.status === "done" || music.status === "failed") return;
    music.status = "failed";
    music.error = reason;
    this.endSongSpan(music, "failed", new Error(reason));
    this.events.record("song-failed", { music: music.music_id, reason });
    this.log.error(`Server: Music[${music.music_id}] failed: ${reason}`);
  }

  /**
   * A job that was lost (past its deadline, or its result unusable) is published again as a new copy of the same
   * job (a late result of the old copy is then a duplicate), up to JOB_RETRIES times; then its song fails.
   */
  retry(job: JobRecord, why: string): void {
    const music = this.store.state.music[job.music_id];
    if (music?.status !== "separating" || job.accepted || !job.published) return;
    const retries = job.retries ?? 0;
    this.events.record("job-lost", { job: job.job_id, music: music.music_id, retries, reason: why });
    if (retries >= this.retries) {
      // Failed at once, so the next look for late jobs no longer finds it; saved behind the song's other work.
      this.fail(music, `Job[${job.job_id}] (chunk ${job.chunk_index}) ${why}, after ${retries} retries`);
      this.background(music, async () => {
        await this.store.save();
      });
      return;
    }
    job.retries = retries + 1;
    job.published = false;
    this.log.warn(
      `Server: Job[${job.job_id}] ${why} - published again (retry ${job.retries} of ${this.retries})`,
    );
    this.background(music, () => this.music.publishUnsent(music));
  }

  progress(music: MusicRecord): number {
    if (music.status === "done") return 100;
    const jobs = this.store.jobsOf(music);
    if (jobs.length === 0) return 0;
    // 100 only once the final mix can be downloaded.
    return Math.min(99, Math.floor((100 * jobs.filter((j) => j.accepted).length) / jobs.length));
  }

  /** After a restart: republish unreceipted jobs, redo interrupted merges and mixes. */
  recover(): void {
    for (const music of Object.values(this.store.state.music)) {
      if (music.status === "separating") {
        this.background(music, async () => {
          await this.music.publishUnsent(music);
          if (this.store.jobsOf(music).every((j) => j.accepted)) this.chunkAccepted(music);
        });
      } else if (music.status === "merging") {
        this.background(music, () => this.finish(music));
      }
    }
  }

  /** Waits for the background work (a merge, a recovery) of these songs, however it ends. */
  async settled(ids: readonly number[]): Promise<void> {
    await Promise.allSettled(ids.map((id) => this.running.get(id)));
  }

  /** Waits for the background work of every song (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** After idle(): ends the merge thread. */
  close(): Promise<void> {
    return this.cpu.close();
  }

  private async finish(music: MusicRecord): Promise<void> {
    const id = music.music_id;
    let selection: number[];
    // A choice made while the mix runs is kept and mixed next: the latest choice wins, and the song reads as
    // done only with a final mix of it.
    do {
      selection = [...music.selected];
      await this.mix(music);
      // Removed by a reset, or failed meanwhile: a failure during the merge wins over done.
      if (this.store.state.music[id] !== music || music.status !== "merging") return;
    } while (!sameTracks(selection, music.selected));
    music.mixed = selection;
    music.status = "done";
    music.done_at = Date.now();
    await this.store.save();
    const totalMs = music.done_at - (music.requested_at ?? music.done_at);
    this.endSongSpan(music, "done");
    this.events.record("song-done", { music: id, totalMs });
    this.log.info(`Server: Music[${id}] - total time: ${seconds(totalMs)}`);
  }

  /** Merges the accepted chunks and mixes the chosen tracks into final.wav and final.mp3. */
  private async mix(music: MusicRecord): Promise<void> {
    const id = music.music_id;
    this.log.info("Server: Merging chunks...");
    this.events.record("merge-started", { music: id });
    const mergeStarted = Date.now();
    const songContext = extractTrace(music.trace ?? {});
    // The MP3 is encoded as the merge goes (mixdown.ts): one span and one time for both.
    const mergeSpan = tracer().startSpan("merge", { attributes: { "encore.music_id": id } }, songContext);
    await this.cpu.mixdown(mixdownPlan(this.store, music));
    mergeSpan.end();
    this.log.info(`Server: Music[${id}] - merge time: ${seconds(Date.now() - mergeStarted)}`);
    this.events.record("merge-finished", { music: id, ms: Date.now() - mergeStarted });
  }

  private startSongSpan(music: MusicRecord): void {
    const span = tracer().startSpan("song", {
      attributes: {
        "encore.music_id": music.music_id,
        "encore.frames": music.frames,
        "encore.tracks": music.selected.join(","),
      },
    });
    this.songSpans.get(music.music_id)?.end();
    this.songSpans.set(music.music_id, span);
    music.trace = injectTrace(inSpan(span));
  }

  private endSongSpan(music: MusicRecord, outcome: string, error?: Error): void {
    const span = this.songSpans.get(music.music_id);
    if (!span) return;
    this.songSpans.delete(music.music_id);
    endSpan(span, outcome, error);
  }

  private background(music: MusicRecord, work: () => Promise<void>): void {
    const id = music.music_id;
    const previous = this.running.get(id) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch(async (error: Error) => {
        // A reset removed the song, or the server is stopping: recover() resumes it after a restart.
        if (this.store.state.music[id] !== music || error instanceof LinkClosedError) return;
        this.fail(music, error.message);
        await this.store.save();
      })
      .finally(() => {
        if (this.running.get(id) === next) this.running.delete(id);
      });
    this.running.set(id, next);
  }
}

const sameTracks = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((id) => b.includes(id));
