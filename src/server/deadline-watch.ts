import type { Settings } from "../config/settings.js";
import { DeadlineClock } from "./job-deadlines.js";
import type { SongPipeline } from "./song-pipeline.js";
import type { StateStore } from "./state-store.js";

/** Looks for jobs past their deadline every few seconds and hands them to the pipeline to publish again. */
export class DeadlineWatch {
  private readonly clock: DeadlineClock;
  private timer: NodeJS.Timeout | undefined;
  readonly periodMs: number;

  constructor(
    private readonly store: StateStore,
    private readonly pipeline: SongPipeline,
    settings: Pick<Settings, "jobDeadlineMinMs" | "jobDeadlineFactor">,
    since = Date.now(),
  ) {
    this.clock = new DeadlineClock(
      { minMs: settings.jobDeadlineMinMs, factor: settings.jobDeadlineFactor },
      since,
    );
    // A quarter of the shortest deadline: a head-of-queue clock starts at most this late.
    this.periodMs = Math.min(5000, Math.max(250, settings.jobDeadlineMinMs / 4));
  }

  start(): void {
    this.timer = setInterval(() => this.check(Date.now()), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(now: number): void {
    const all = Object.values(this.store.state.jobs);
    for (const late of this.clock.overdue(this.store.sentNotDone(), all, now))
      this.pipeline.retry(
        late.job,
        `not done within its deadline of ${(late.deadlineMs / 1000).toFixed(1)} s (at a worker since ${new Date(late.reachedWorkerBy).toISOString()})`,
      );
  }
}
