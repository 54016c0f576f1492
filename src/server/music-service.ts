import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SeparationEngine } from "../audio/engines/engine.js";
import { type AudioInfo, decodeAudioToFile, NotAudioError, probe } from "../audio/ffmpeg.js";
import { CHANNELS, SAMPLE_RATE, STEM_NAMES } from "../audio/pcm.js";
import { chunkCount, planChunks } from "../audio/split.js";
import type { Settings } from "../config/settings.js";
import type { EventLog } from "../events/event-log.js";
import type { Logger } from "../log/logger.js";
import { type Destinations, EPOCH_STREAM_ARGS, QUORUM_QUEUE } from "../messages/destinations.js";
import { encodeJob } from "../messages/job-message.js";
import type { StompLink } from "../stomp/link.js";
import { extractTrace, injectTrace, inSpan, tracer } from "../tracing/tracing.js";
import { moveDurably } from "./atomic-write.js";
import { HttpError } from "./http-error.js";
import { batches } from "./job-batches.js";
import { resultFile } from "./mixdown.js";
import { readFrames } from "./pcm-file.js";
import type { JobRecord, MusicRecord, StateStore } from "./state-store.js";
import type { IncomingFile } from "./upload-intake.js";
import { checkDeclaredLength, checkDecoded, checkDiskBudget, type UploadLimits } from "./upload-limits.js";

/**
 * Job bodies read and in flight at once, at most: all of an hour's song would hold 700 MB. A batch is read
 * first and then sent in one go: a short song's jobs reach the queue together, as the workers expect (sent one
 * by one as each was read, twelve of them spread over 0.7 s).
 */
const PUBLISHING_BYTES = 64 * 2 ** 20;

/** Upload → split → jobs: everything from the bytes a user sends to the job messages on the queue. */
export class MusicService {
  constructor(
    private readonly store: StateStore,
    private readonly link: StompLink,
    private readonly queues: Destinations,
    private readonly engine: SeparationEngine,
    private readonly settings: Settings,
    private readonly log: Logger,
    private readonly events: EventLog,
    private readonly limits: UploadLimits,
  ) {}

  /**
   * Decodes the upload once, keeps its PCM, and answers with the song's tracks (one per stem). Every limit is
   * checked before the song gets an id: a refused upload leaves nothing behind and uses up no id.
   */
  async upload(incoming: IncomingFile): Promise<MusicRecord> {
    const limits = this.limits;
    // Beside the upload, on the data's own file system: keep() moves it into the song's folder.
    const pcm = `${incoming.path}.pcm`;
    try {
      const info = await probe(incoming.path);
      checkDeclaredLength(info.durationSeconds, limits);
      // Decoding stops just past the limit: a file that declares no length (or lies) cannot fill the disk.
      const decoded = await decodeAudioToFile(incoming.path, pcm, limits.maxSongSeconds + 1);
      const seconds = decoded.frames / SAMPLE_RATE;
      if (seconds === 0) throw new NotAudioError("the file decodes to no audio samples");
      checkDecoded(seconds, info.durationSeconds, decoded.errors, limits);
      await checkDiskBudget(this.store.dataDir, seconds, limits);
      return await this.keep(pcm, decoded.frames, info, incoming.filename);
    } catch (error) {
      if (error instanceof NotAudioError) throw new HttpError(400, error.message);
      throw error;
    } finally {
      await rm(incoming.path, { force: true });
      await rm(pcm, { force: true });
    }
  }

  private async keep(
    pcm: string,
    frames: number,
    info: AudioInfo,
    filename: string | undefined,
  ): Promise<MusicRecord> {
    // Ids are taken in one step with no wait inside, so concurrent uploads never share one; they are given back
    // below if the song cannot be stored and no later upload took one.
    const state = this.store.state;
    const musicId = state.next_music_id++;
    const firstTrack = state.next_track_id;
    state.next_track_id += STEM_NAMES.length;
    const music: MusicRecord = {
      music_id: musicId,
      name: info.title ?? filename?.replace(/\.[^.]+$/, "") ?? `Music ${musicId}`,
      band: info.artist ?? "Unknown",
      frames,
      tracks: STEM_NAMES.map((name, k) => ({ track_id: firstTrack + k, name })),
      status: "uploaded",
      selected: [],
      job_ids: [],
    };
    const dir = this.store.musicDir(musicId);
    try {
      await moveDurably(pcm, join(dir, "source.pcm"));
      state.music[musicId] = music;
      await this.store.save();
    } catch (error) {
      // Not saved, so not a song: a record left in memory would be listed, and saved by the next save.
      delete state.music[musicId];
      if (state.next_music_id === musicId + 1) {
        state.next_music_id = musicId;
        state.next_track_id = firstTrack;
      }
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    this.log.info(
      `MusicService: Music[${musicId}]: "${music.name}" by ${music.band} uploaded, ${(frames / SAMPLE_RATE).toFixed(2)}[s] of audio`,
    );
    return music;
  }

  /** Splits the song into jobs and publishes them, each receipted; resolves once all are on the queue. */
  async separate(music: MusicRecord): Promise<void> {
    const state = this.store.state;
    const count = chunkCount(music.frames, SAMPLE_RATE, {
      mode: this.settings.splitMode,
      perWorker: this.settings.splitChunks,
      chunkSeconds: this.settings.chunkSeconds,
      maxChunkSeconds: this.settings.maxChunkSeconds,
    });
    const split = tracer().startSpan(
      "split",
      { attributes: { "encore.music_id": music.music_id } },
      extractTrace(music.trace ?? {}),
    );
    const plans = planChunks(music.frames, count, this.engine.radius);
    split.setAttribute("encore.chunks", plans.length);
    split.end();
    music.status = "separating";
    // A retry after a failure starts over with new job ids: the old attempt's records and results go, and a late
    // report of one of its jobs is for no current job.
    for (const old of this.store.jobsOf(music)) {
      delete state.jobs[old.job_id];
      await rm(resultFile(this.store, music.music_id, old.job_id), { force: true });
    }
    music.job_ids = plans.map((plan) => {
      const job: JobRecord = {
        job_id: state.next_job_id++,
        music_id: music.music_id,
        chunk_index: plan.index,
        chunk_count: plan.count,
        start: plan.start,
        end: plan.end,
        context_start: plan.contextStart,
        context_end: plan.contextEnd,
        size: (plan.contextEnd - plan.contextStart) * CHANNELS * 2,
        epoch: state.epoch,
        attempt: 0,
        published: false,
        duplicates: 0,
      };
      state.jobs[job.job_id] = job;
      return job.job_id;
    });
    // Jobs are on disk before they are on the queue, so a crash in between is repaired by publishUnsent().
    await this.store.save();
    this.log.info(`MusicService: Music[${music.music_id}]: Sending ${plans.length} jobs`);
    await this.publishUnsent(music);
  }

  /**
   * Publishes the song's jobs that have no receipt yet (all of them at first, the missing ones after a crash),
   * read from the song's PCM in batches of at most PUBLISHING_BYTES.
   */
  async publishUnsent(music: MusicRecord): Promise<void> {
    const unsent = this.store.jobsOf(music).filter((job) => !job.published);
    if (unsent.length === 0) return;
    const source = await open(join(this.store.musicDir(music.music_id), "source.pcm"), "r");
    try {
      for (const batch of batches(unsent, PUBLISHING_BYTES)) {
        const inputs = await Promise.all(
          batch.map((job) => readFrames(source, job.context_start, job.context_end)),
        );
        await Promise.all(batch.map((job, k) => this.publishJob(music, job, inputs[k])));
      }
    } finally {
      await source.close();
    }
    await this.store.save();
  }

  private async publishJob(music: MusicRecord, job: JobRecord, samples: Int16Array): Promise<void> {
    job.attempt++;
    const publishedAt = Date.now();
    const span = tracer().startSpan(
      `publish Job[${job.job_id}]`,
      {
        attributes: {
          "encore.job_id": job.job_id,
          "encore.chunk": job.chunk_index,
          "encore.attempt": job.attempt,
        },
      },
      extractTrace(music.trace ?? {}),
    );
    const { headers, body } = encodeJob({
      jobId: job.job_id,
      musicId: job.music_id,
      chunkIndex: job.chunk_index,
      chunkCount: job.chunk_count,
      start: job.start,
      end: job.end,
      contextStart: job.context_start,
      contextEnd: job.context_end,
      epoch: job.epoch,
      attempt: job.attempt,
      engine: this.engine.name,
      publishedAt,
      samples,
    });
    // Before the SEND: a result may come back before the save after it (and a restart computes the same).
    job.digest = headers["job-digest"];
    job.published_at = publishedAt;
    await this.link.publish(
      this.queues.jobs,
      { ...headers, ...injectTrace(inSpan(span)), ...QUORUM_QUEUE, persistent: "true" },
      body,
    );
    job.published = true;
    span.end();
    this.events.record("job-published", {
      job: job.job_id,
      music: job.music_id,
      chunk: job.chunk_index,
      chunks: job.chunk_count,
      attempt: job.attempt,
      bytes: body.length,
    });
  }

  /** Tells workers the current epoch (at start, and after POST /reset): every job of an older one is cancelled. */
  async announceEpoch(epoch: number): Promise<void> {
    await this.link.publish(
      this.queues.epochs,
      { ...EPOCH_STREAM_ARGS, "cancel-before-epoch": String(epoch), persistent: "true" },
      "",
    );
  }

  async removeFiles(musicId: number): Promise<void> {
    await rm(this.store.musicDir(musicId), { recursive: true, force: true });
  }
}
