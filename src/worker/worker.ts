import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { context } from "@opentelemetry/api";
import type { Settings } from "../config/settings.js";
import { createEventLog, type EventLog } from "../events/event-log.js";
import type { Logger } from "../log/logger.js";
import { deadLetter } from "../messages/dead-letter.js";
import { destinations, EPOCH_READ_ARGS, EPOCH_WAIT_MS, QUORUM_QUEUE } from "../messages/destinations.js";
import { parseJob, type ReceivedJob } from "../messages/job-message.js";
import { requeueFailed } from "../messages/requeue.js";
import { encodeResult, type ResultMessage } from "../messages/result-message.js";
import { collectGarbage, WORTH_COLLECTING_BYTES } from "../process/collect-garbage.js";
import { CpuThread } from "../process/cpu-thread.js";
import { watchLoopStalls } from "../process/loop-stalls.js";
import { within } from "../process/within.js";
import { type Delivery, StompLink } from "../stomp/link.js";
import { linkOptions } from "../stomp/link-options.js";
import { BrokerRefusedError, ConnectionLostError } from "../stomp/session.js";
import { endSpan, extractTrace, injectTrace, inSpan, tracer } from "../tracing/tracing.js";

/** Jobs whose result the broker refused that a worker remembers (a bound, so the memory cannot grow). */
const REFUSED_KEPT = 1000;

/**
 * A worker takes one job at a time (prefetch 1, client-individual ack): separate, publish the result and wait
 * for its receipt, and only then ACK on the connection that delivered the job. A failure sends the job back to
 * the queue with its failure count and the worker keeps serving; a job it cannot use goes to the dead-letter queue.
 */
export class Worker {
  readonly id = randomBytes(4).toString("hex").slice(0, 7);
  readonly name = `Worker[${this.id}]`;
  protected readonly link: StompLink;
  private readonly queues;
  private cancelledBefore = 0;
  private busy: Promise<void> = Promise.resolve();
  private readonly events: EventLog;
  private readonly engine = new CpuThread();
  private readonly stalls = watchLoopStalls();
  private stopping = false;
  /** The delivery being worked on. */
  private current: Delivery | undefined;
  /** The work in hand, and how a reset that cancels its epoch stops it. */
  private running: { epoch: number; cancel: AbortController } | undefined;
  /** The connection on which the current epoch has been read, and who waits for that. */
  private epochOn: string | undefined;
  private readonly epochWaiters: Array<() => void> = [];
  /**
   * Jobs (id/attempt) whose result the broker refused, already reported and dead-lettered: their ACK was lost with
   * the connection the ERROR closed, so the broker delivers them again, and then they are only ACKed.
   */
  private readonly refused = new Set<string>();

  constructor(
    private readonly settings: Settings,
    private readonly log: Logger,
  ) {
    this.queues = destinations(settings.queuePrefix);
    this.link = new StompLink(linkOptions(settings, this.name, log));
    this.events = createEventLog(settings.eventsFile, "worker", { worker: this.id });
    this.link.onConnect((session) => this.events.record("connected", { connection: session.id }));
    this.link.onLoss((error) => this.events.record("connection-lost", { reason: error.message }));
  }

  async start(): Promise<void> {
    const session = await this.link.start();
    await Promise.all([
      this.link.subscribe(this.queues.epochs, EPOCH_READ_ARGS, (d) => {
        this.onControl(d);
        this.epochRead(d.connectionId);
        d.ack().catch(() => {});
      }),
      this.link.subscribe(
        this.queues.jobs,
        { ack: "client-individual", "prefetch-count": "1", ...QUORUM_QUEUE },
        (d) => {
          // One that comes while stopping is left unacknowledged: the broker gives it back at the disconnect.
          this.busy = this.busy.then(() => (this.stopping ? undefined : this.onJob(d)));
        },
      ),
    ]);
    this.log.info(
      `${this.name} connected (heart-beat ${session.negotiatedHeartbeat.join(",")}), waiting for jobs` +
        (this.settings.workerMinJobMs > 0
          ? ` [synthetic model time ${this.settings.workerMinJobMs} ms per job]`
          : ""),
    );
  }

  /** Finishes the job in hand within STOP_GRACE_MS, else NACKs it for another worker; then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    const finished = await within(this.busy, this.settings.stopGraceMs);
    const held = this.current;
    if (!finished && held) {
      this.log.warn(
        `${this.name}: stopping: Job[${held.headers["job-id"]}] not finished within ${this.settings.stopGraceMs} ms - NACK, another worker takes it`,
      );
      await held.nack().catch(() => {});
    }
    await this.link.close();
    await this.engine.close();
    this.log.info(`${this.name} stopped: ${this.stalls.summary()}`);
  }

  /** The current epoch, as announced at the server's start and at each reset: older jobs are cancelled. */
  protected onControl(delivery: Delivery): void {
    const epoch = Number(delivery.headers["cancel-before-epoch"]);
    if (Number.isSafeInteger(epoch) && epoch > this.cancelledBefore) {
      this.cancelledBefore = epoch;
      if (epoch > 1) this.log.warn(`${this.name}: reset: jobs of epochs before ${epoch} are cancelled`);
      if (this.running && this.running.epoch < epoch) this.running.cancel.abort();
    }
  }

  private epochRead(connectionId: string): void {
    this.epochOn = connectionId;
    for (const wake of this.epochWaiters.splice(0)) wake();
  }

  /**
   * A job on a new connection waits until the epoch has been read on it too: a reset announced while this worker
   * was cut off or not yet started must cancel the job before it runs. The server announces the epoch when it
   * starts, so the stream is empty only before any server ever ran (then no job can come either).
   */
  private async epochKnown(connectionId: string): Promise<void> {
    const deadline = Date.now() + EPOCH_WAIT_MS;
    while (this.epochOn !== connectionId && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.epochWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async onJob(delivery: Delivery): Promise<void> {
    await this.epochKnown(delivery.connectionId);
    const deliveryCount = Number(delivery.headers["x-delivery-count"] ?? 0) || 0;
    const jobId = Number(delivery.headers["job-id"]) || undefined;
    this.events.record("job-delivered", {
      job: jobId,
      music: Number(delivery.headers["music-id"]) || undefined,
      chunk: Number(delivery.headers["chunk-index"]),
      connection: delivery.connectionId,
      redelivered: delivery.redelivered,
      deliveryCount,
    });
    // One trace per song: the job's headers carry its publish span, so queue wait and this attempt hang under it.
    const parent = extractTrace(delivery.headers);
    const attributes = { "encore.job_id": jobId ?? 0, "encore.worker_id": this.id };
    const publishedAt = Number(delivery.headers["published-at"]);
    if (publishedAt > 0)
      tracer().startSpan(`queue wait Job[${jobId}]`, { startTime: publishedAt, attributes }, parent).end();
    const attempt = tracer().startSpan(
      `attempt Job[${jobId}]`,
      {
        attributes: {
          ...attributes,
          "encore.redelivered": delivery.redelivered,
          "encore.delivery_count": deliveryCount,
        },
      },
      parent,
    );
    this.current = delivery;
    try {
      const outcome = await context.with(inSpan(attempt), () => this.handleJob(delivery, deliveryCount));
      endSpan(attempt, outcome);
    } finally {
      this.current = undefined;
      // The job's body and its result are garbage now; a small job's are not worth a collection.
      if (delivery.body.length >= WORTH_COLLECTING_BYTES) collectGarbage();
    }
  }

  /** Returns the attempt's outcome: acked, stale-ack, requeued, cancelled or dead-lettered. */
  private async handleJob(delivery: Delivery, deliveryCount: number): Promise<string> {
    let job: ReceivedJob;
    try {
      job = parseJob(delivery.headers, delivery.body);
    } catch (error) {
      // Not a job the server sent as it is, whatever job id it carries: set aside, and no song is told of it.
      await this.setAside(delivery, `malformed job: ${(error as Error).message}`);
      return "dead-lettered";
    }
    if (deliveryCount >= this.settings.jobMaxDeliveries) {
      await this.reject(
        delivery,
        job,
        `Job[${job.jobId}] delivered ${deliveryCount + 1} times (lost connections included)`,
        deliveryCount,
      );
      return "dead-lettered";
    }
    if (this.refused.has(`${job.jobId}/${job.attempt}`)) {
      this.log.warn(
        `${this.name}: Job[${job.jobId}] is back, its result refused before - ACK, not processed`,
      );
      await this.settle(job.jobId, () => delivery.ack());
      return "dead-lettered";
    }
    if (job.epoch < this.cancelledBefore) {
      this.log.warn(`${this.name}: Job[${job.jobId}] was cancelled by a reset - discarded, not processed`);
      this.events.record("job-cancelled", { job: job.jobId });
      await this.settle(job.jobId, () => delivery.ack());
      return "cancelled";
    }
    try {
      await this.process(delivery, job, deliveryCount);
      return "acked";
    } catch (error) {
      // Handed back by stop(): the thread that was doing it has been ended.
      if (this.stopping) return "stopped";
      if (error instanceof ConnectionLostError) {
        this.log.warn(
          `${this.name}: Job[${job.jobId}] - connection lost before its ACK (${error.message}); never acked on another connection, so the broker redelivers it`,
        );
        return "stale-ack";
      }
      // Sending it again cannot help (a result over the broker's size limit): the song fails with the broker's
      // words, and every other job goes on.
      if (error instanceof BrokerRefusedError) {
        this.refused.add(`${job.jobId}/${job.attempt}`);
        if (this.refused.size > REFUSED_KEPT) this.refused.delete(this.refused.values().next().value ?? "");
        await this.reject(
          delivery,
          job,
          `Job[${job.jobId}]: its result was refused: ${error.message}`,
          deliveryCount,
        );
        return "dead-lettered";
      }
      return this.failed(delivery, job, (error as Error).message, deliveryCount);
    }
  }

  /**
   * A failed attempt counts against the job wherever it runs next: under JOB_MAX_FAILURES it goes back to the
   * queue with its count, at the limit it is dead-lettered and its song told.
   */
  private async failed(
    delivery: Delivery,
    job: ReceivedJob,
    reason: string,
    deliveryCount: number,
  ): Promise<string> {
    const failures = job.failures + 1;
    this.events.record("work-failed", {
      job: job.jobId,
      connection: delivery.connectionId,
      failures,
      reason,
    });
    if (failures >= this.settings.jobMaxFailures) {
      await this.reject(
        delivery,
        job,
        `Job[${job.jobId}] failed ${failures} times, last: ${reason}`,
        deliveryCount,
      );
      return "dead-lettered";
    }
    this.log.error(
      `${this.name}: Job[${job.jobId}] failed: ${reason} - sent back to the queue (failure ${failures} of ${this.settings.jobMaxFailures})`,
    );
    await this.settle(job.jobId, () => requeueFailed(this.queues.jobs, delivery, failures, reason));
    return "requeued";
  }

  /**
   * The at-least-once order: do the work and publish its result (receipted), and only then ACK. A worker that
   * ACKed first would lose the chunk if it died mid-job (the harness has such a worker, to prove it notices).
   */
  protected async process(delivery: Delivery, job: ReceivedJob, deliveryCount: number): Promise<void> {
    if (await this.work(delivery, job, deliveryCount)) await this.ackJob(delivery, job);
  }

  /** Separates the chunk and publishes the result; false when the job was cancelled meanwhile (and acked). */
  protected async work(delivery: Delivery, job: ReceivedJob, deliveryCount: number): Promise<boolean> {
    const startedAt = Date.now();
    this.log.info(
      `${this.name} started Job[${job.jobId}].` +
        (delivery.redelivered ? ` (redelivered, delivery ${deliveryCount + 1})` : ""),
    );
    const ids = { job: job.jobId, music: job.musicId, chunk: job.chunkIndex };
    this.events.record("work-started", ids);
    const timing = { computeMs: 0, syntheticMs: 0 };
    const stemsBody = await this.separate(job, startedAt, timing);
    const { computeMs, syntheticMs } = timing;
    this.events.record("work-finished", { ...ids, computeMs, syntheticMs });
    if (stemsBody === undefined || job.epoch < this.cancelledBefore) {
      this.log.warn(
        `${this.name}: Job[${job.jobId}] was cancelled by a reset while running - stopped after ${((Date.now() - startedAt) / 1000).toFixed(2)}[s], discarded`,
      );
      this.events.record("job-cancelled", ids);
      await delivery.ack();
      return false;
    }
    const result: ResultMessage = {
      kind: "done",
      jobId: job.jobId,
      musicId: job.musicId,
      chunkIndex: job.chunkIndex,
      workerId: this.id,
      redelivered: delivery.redelivered,
      deliveryCount,
      frames: job.end - job.start,
      startedAt,
      finishedAt: Date.now(),
      syntheticMs,
      stems: stemsBody,
      jobDigest: job.digest,
    };
    const { headers, body } = encodeResult(result);
    await this.link.publish(
      this.queues.results,
      { ...headers, ...injectTrace(context.active()), ...QUORUM_QUEUE, persistent: "true" },
      body,
    );
    this.events.record("result-published", ids);
    this.log.info(
      `${this.name}: Job[${job.jobId}] - JobDoneMsg - job time: ${((Date.now() - startedAt) / 1000).toFixed(2)}[s]` +
        (syntheticMs > 0 ? ` (${(syntheticMs / 1000).toFixed(2)}[s] synthetic)` : ""),
    );
    return true;
  }

  /**
   * The engine's work (the result's body, encoded on the CPU thread), then the synthetic model time; undefined when
   * a reset cancelled the job meanwhile: it stops the work at once (the thread is ended, the next job starts
   * another) and cuts the wait short.
   */
  private async separate(
    job: ReceivedJob,
    startedAt: number,
    timing: { computeMs: number; syntheticMs: number },
  ): Promise<Buffer | undefined> {
    const cancel = new AbortController();
    this.running = { epoch: job.epoch, cancel };
    cancel.signal.addEventListener("abort", () => void this.engine.close(), { once: true });
    try {
      const body = await this.engine.separate(job.engine, job.samples, job, this.settings.workerCpuMs);
      timing.computeMs = Date.now() - startedAt;
      timing.syntheticMs = Math.max(0, this.settings.workerMinJobMs - timing.computeMs);
      if (timing.syntheticMs > 0) await sleep(timing.syntheticMs, undefined, { signal: cancel.signal });
      return body;
    } catch (error) {
      if (cancel.signal.aborted) return undefined;
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  /** ACK on the connection that delivered the job; it counts only once its RECEIPT is back. */
  protected async ackJob(delivery: Delivery, job: ReceivedJob): Promise<void> {
    const ids = {
      job: job.jobId,
      music: job.musicId,
      chunk: job.chunkIndex,
      connection: delivery.connectionId,
    };
    this.events.record("ack-sent", ids);
    try {
      await delivery.ack();
    } catch (error) {
      this.events.record("ack-failed", { ...ids, reason: (error as Error).message });
      throw error;
    }
    this.events.record("ack-receipted", ids);
    this.log.info(`${this.name}: Job[${job.jobId}] - JobDoneMsg - ACK`);
  }

  /** Dead-letters a job of the server's it cannot do and tells the server, so the song fails visibly instead of waiting forever. */
  private async reject(
    delivery: Delivery,
    job: ReceivedJob,
    reason: string,
    deliveryCount: number,
  ): Promise<void> {
    this.log.error(`${this.name}: ${reason} - sent to the dead-letter queue`);
    this.events.record("dead-lettered", { job: job.jobId, reason });
    await this.settle(job.jobId, async () => {
      // The server hears of it first: a crash after the ACK must not leave the song waiting forever.
      const failed = encodeResult({
        kind: "failed",
        jobId: job.jobId,
        musicId: job.musicId,
        workerId: this.id,
        redelivered: delivery.redelivered,
        deliveryCount,
        reason,
        jobDigest: job.digest,
      });
      await this.link.publish(
        this.queues.results,
        { ...failed.headers, ...QUORUM_QUEUE, persistent: "true" },
        failed.body,
      );
      await deadLetter(this.link, this.queues.deadLetter, delivery, reason, this.name);
    });
  }

  /** Dead-letters a message that is not a job the server sent. */
  private async setAside(delivery: Delivery, reason: string): Promise<void> {
    this.log.error(`${this.name}: ${reason} - sent to the dead-letter queue`);
    const jobId = Number(delivery.headers["job-id"]) || undefined;
    this.events.record("dead-lettered", { job: jobId, reason });
    await this.settle(jobId, () =>
      deadLetter(this.link, this.queues.deadLetter, delivery, reason, this.name),
    );
  }

  private async settle(jobId: number | undefined, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const what = jobId === undefined ? "message" : `Job[${jobId}]`;
      this.log.warn(
        `${this.name}: ${what} not settled (${(error as Error).message}); the broker will redeliver it`,
      );
    }
  }
}
