import type { EventFields, EventLog } from "../events/event-log.js";
import type { Logger } from "../log/logger.js";
import { deadLetter } from "../messages/dead-letter.js";
import { type Destinations, QUORUM_QUEUE } from "../messages/destinations.js";
import { MalformedMessageError } from "../messages/header-reader.js";
import { parseResult, type ReceivedDone, type ReceivedResult } from "../messages/result-message.js";
import { type Delivery, LinkClosedError, type StompLink } from "../stomp/link.js";
import { ConnectionLostError } from "../stomp/session.js";
import { extractTrace, tracer } from "../tracing/tracing.js";
import { writeAtomic } from "./atomic-write.js";
import { resultFile } from "./mixdown.js";
import type { SongPipeline } from "./song-pipeline.js";
import type { JobRecord, MusicRecord, StateStore } from "./state-store.js";

export interface CollectorCounters {
  accepted: number;
  duplicates: number;
  stale: number;
  malformed: number;
}

/**
 * Results → exactly once. The first result of a job is written to disk and recorded before its ACK, every later
 * one for the same job id is counted, logged and dropped. Deliveries of one job id are handled one at a time, in
 * the order they came; those of different jobs side by side, so their disk writes and ACK round trips overlap
 * and their records share one commit.
 */
export class ResultCollector {
  readonly counters: CollectorCounters = { accepted: 0, duplicates: 0, stale: 0, malformed: 0 };
  /** The last handling queued per job-id header (as sent, so a malformed one queues too). */
  private readonly byJob = new Map<string, Promise<void>>();
  private stall: string | undefined;

  constructor(
    protected readonly store: StateStore,
    private readonly pipeline: SongPipeline,
    private readonly link: StompLink,
    private readonly queues: Destinations,
    private readonly log: Logger,
    private readonly events: EventLog,
  ) {}

  /** Resolves once the broker has the results subscription. */
  start(): Promise<void> {
    return this.link.subscribe(
      this.queues.results,
      { ack: "client-individual", "prefetch-count": "4", ...QUORUM_QUEUE },
      (delivery) => this.enqueue(delivery),
    );
  }

  /** Resolves when every result received so far has been handled. */
  async drained(): Promise<void> {
    while (this.byJob.size > 0) await Promise.all(this.byJob.values());
  }

  private enqueue(delivery: Delivery): void {
    const key = String(delivery.headers["job-id"]);
    const next = (this.byJob.get(key) ?? Promise.resolve()).then(() => this.handle(delivery));
    this.byJob.set(key, next);
    void next.then(() => {
      if (this.byJob.get(key) === next) this.byJob.delete(key);
    });
  }

  /** Why results cannot be taken now (the store cannot write), while it lasts: /health reports it. */
  get stalled(): string | undefined {
    return this.stall;
  }

  /**
   * A result that cannot be saved is kept, unsettled, and tried again here until it can be: a NACK would send it
   * straight back, and dropping the connection would make the broker count a delivery against every result held.
   * The broker keeps the rest of the queue meanwhile; nothing is lost and work goes on once the disk is back.
   */
  private async handle(delivery: Delivery): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handleOnce(delivery);
        if (this.stall) this.log.info(`Server: results are being saved again (${this.stall} is over)`);
        this.stall = undefined;
        return;
      } catch (error) {
        const message = (error as Error).message;
        if (error instanceof ConnectionLostError || error instanceof LinkClosedError) {
          // Not acked: the broker redelivers it to this or the next connection; nothing is lost.
          this.log.warn(`Server: result not settled (${message}); it will be redelivered`);
          return;
        }
        if (!this.stall || attempt % 10 === 1)
          this.log.error(`Server: result not saved (${message}); kept unacknowledged and tried again`);
        this.stall = message;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
  }

  private async handleOnce(delivery: Delivery): Promise<void> {
    let result: ReceivedResult;
    try {
      result = parseResult(delivery.headers, delivery.body);
    } catch (error) {
      if (!(error instanceof MalformedMessageError)) throw error;
      this.counters.malformed++;
      this.log.error(`Server: malformed result dead-lettered: ${error.message}`);
      await this.setAside(delivery, `malformed result: ${error.message}`);
      return;
    }
    await this.accept(result, delivery);
  }

  private async accept(result: ReceivedResult, delivery: Delivery): Promise<void> {
    const span = tracer().startSpan(
      `result Job[${result.jobId}]`,
      { attributes: { "encore.job_id": result.jobId, "encore.worker_id": result.workerId } },
      extractTrace(delivery.headers),
    );
    try {
      span.setAttribute("encore.outcome", await this.settle(result, delivery));
    } finally {
      span.end();
    }
  }

  /** What became of a result: accepted, duplicate, stale, failed or malformed. */
  private async settle(result: ReceivedResult, delivery: Delivery): Promise<string> {
    const job = this.store.state.jobs[result.jobId];
    const music = job && this.store.state.music[job.music_id];
    const ids = { job: result.jobId, music: result.musicId, worker: result.workerId };
    // A job the song no longer lists is of an earlier attempt (the song was chosen again after it failed).
    if (!job || !music || job.music_id !== result.musicId || !music.job_ids.includes(job.job_id))
      return this.dropStale(
        delivery,
        ids,
        `JobDoneMsg[${result.jobId}] from Worker[${result.workerId}] is for no current job (cancelled by a reset?) - dropped`,
      );
    if (!this.ofJobSent(job, result)) {
      this.counters.malformed++;
      const reason = `${result.kind === "failed" ? "failure report" : "result"} for Job[${job.job_id}] from Worker[${result.workerId}] is of a job the server did not send (its job-digest differs)`;
      this.log.error(`Server: ${reason} - dead-lettered, the song goes on`);
      await this.setAside(delivery, reason);
      return "forged";
    }
    // A copy of a job already done failed elsewhere (a republished attempt, say): the song has that chunk.
    if (result.kind === "failed" && this.alreadyTaken(job))
      return this.dropStale(
        delivery,
        ids,
        `Job[${job.job_id}] failed on Worker[${result.workerId}] (${result.reason}) after its result was accepted - report dropped`,
      );
    if (result.kind === "failed") {
      this.songFailed(music, `Job[${job.job_id}]: ${result.reason}`);
      await this.store.save();
      await delivery.ack();
      return "failed";
    }
    if (this.alreadyTaken(job)) {
      job.duplicates++;
      this.counters.duplicates++;
      this.events.record("duplicate-dropped", {
        ...ids,
        chunk: job.chunk_index,
        acceptedFrom: job.accepted?.worker_id,
      });
      this.log.warn(
        `Server: JobDoneMsg[${job.job_id}] - duplicate from Worker[${result.workerId}] dropped ` +
          `(accepted from Worker[${job.accepted?.worker_id}]; ${job.duplicates} dropped so far)`,
      );
      await this.store.save();
      await delivery.ack();
      return "duplicate";
    }
    if (result.chunkIndex !== job.chunk_index || result.frames !== job.end - job.start) {
      this.counters.malformed++;
      const reason = `result for Job[${job.job_id}] has chunk ${result.chunkIndex} with ${result.frames} frames, expected chunk ${job.chunk_index} with ${job.end - job.start}`;
      this.log.error(`Server: ${reason} - dead-lettered`);
      await this.setAside(delivery, reason);
      // Of the job as sent (its digest matches), so the worker has ACKed it: without a new copy the chunk is gone.
      this.pipeline.retry(job, "had an unusable result");
      return "malformed";
    }
    try {
      await this.take(result, job, delivery);
      const time = (result.finishedAt - result.startedAt) / 1000;
      this.log.info(`Server: JobDoneMsg[${job.job_id}] - ACK - job time: ${time.toFixed(2)}[s]`);
    } finally {
      // Saved is accepted, even when the ACK was lost with the connection: its redelivery is then a duplicate,
      // so this is the song's only chance to move on (found by chaos: a broker crash as the ACK was sent).
      if (job.accepted) {
        this.pipeline.chunkAccepted(music);
        await this.store.save();
      }
    }
    return "accepted";
  }

  /** A result or report that changes nothing: counted, logged, ACKed. */
  private async dropStale(delivery: Delivery, ids: EventFields, why: string): Promise<"stale"> {
    this.counters.stale++;
    this.events.record("stale-dropped", ids);
    this.log.warn(`Server: ${why}`);
    await delivery.ack();
    return "stale";
  }

  /**
   * Whether the result or report is of the job as the server sent it (a forged copy carrying its id is not).
   * Records from before digests were kept have none: their results are taken on the job id, as they were.
   */
  protected ofJobSent(job: JobRecord, result: ReceivedResult): boolean {
    return job.digest === undefined || result.jobDigest === job.digest;
  }

  /** A worker gave up on a job of the song (it was dead-lettered): the song cannot be finished. */
  protected songFailed(music: MusicRecord, reason: string): void {
    this.pipeline.fail(music, reason);
  }

  /** De-duplication is by job id: a job's first result is the one merged. */
  protected alreadyTaken(job: JobRecord): boolean {
    return job.accepted !== undefined;
  }

  /** A result it cannot use is kept on the dead-letter queue for a person, and ACKed. */
  protected setAside(delivery: Delivery, reason: string): Promise<void> {
    return deadLetter(this.link, this.queues.deadLetter, delivery, reason, "Server");
  }

  /**
   * The exactly-once order: the result's file and its record are saved, and only then is it ACKed. A server
   * that ACKed first and crashed before saving would lose the chunk for good (the harness has such a server,
   * to prove that it notices).
   */
  protected async take(result: ReceivedDone, job: JobRecord, delivery: Delivery): Promise<void> {
    await this.save(result, job, delivery);
    await delivery.ack();
  }

  /** Writes the result's stems and records it as the job's accepted result. */
  protected async save(result: ReceivedDone, job: JobRecord, delivery: Delivery): Promise<void> {
    await writeAtomic(resultFile(this.store, job.music_id, job.job_id), delivery.body);
    job.accepted = {
      worker_id: result.workerId,
      time: (result.finishedAt - result.startedAt) / 1000,
      received_at: Date.now(),
      redelivered: result.redelivered,
      delivery_count: result.deliveryCount,
    };
    try {
      await this.store.save();
    } catch (error) {
      // Not on disk, so not accepted: the retry of this delivery must take it again, not drop it as a duplicate.
      job.accepted = undefined;
      throw error;
    }
    this.counters.accepted++;
    this.events.record("result-accepted", {
      job: result.jobId,
      music: result.musicId,
      worker: result.workerId,
      chunk: job.chunk_index,
      redelivered: result.redelivered,
      deliveryCount: result.deliveryCount,
      jobMs: result.finishedAt - result.startedAt,
    });
  }
}
