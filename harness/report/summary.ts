import type { RecordedEvent } from "../../src/events/event-log.js";
import { type Detection, detections } from "../checker/detection.js";
import type { RunRecord } from "../run/run-record.js";

export interface Spread {
  count: number;
  min: number;
  median: number;
  max: number;
}

/** The figures people ask of a run first, from its record alone; times in ms. */
export interface RunSummary {
  chunks: number;
  deliveries: number;
  redeliveries: number;
  duplicatesDropped: number;
  faults: number;
  /** work-started → work-finished of every attempt that finished its work (a frozen one includes its freeze). */
  jobMs: Spread | null;
  /** job-published → the chunk's first delivery. */
  queueWaitMs: Spread | null;
  detections: Detection[];
  mergeMs: number | null;
  /** Jobs sent → song done. */
  totalMs: number | null;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { count: sorted.length, min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** work-started → work-finished of each attempt, paired per worker and job. */
function workDurations(history: readonly RecordedEvent[]): number[] {
  const started = new Map<string, number>();
  const durations: number[] = [];
  for (const e of history) {
    const key = `${e.worker}/${e.job}`;
    const from = started.get(key);
    if (e.type === "work-started") started.set(key, e.mono);
    else if (e.type === "work-finished" && from !== undefined) {
      durations.push(e.mono - from);
      started.delete(key);
    }
  }
  return durations;
}

/** Each job's first `type` event, monotonic ms. */
function firstByJob(history: readonly RecordedEvent[], type: string): Map<number, number> {
  const first = new Map<number, number>();
  for (const e of history)
    if (e.type === type && e.job !== undefined && !first.has(e.job)) first.set(e.job, e.mono);
  return first;
}

/** A number the last `type` event carries in `field`, if any. */
function lastFigure(history: readonly RecordedEvent[], type: string, field: string): number | null {
  const value = [...history].reverse().find((e) => e.type === type)?.[field];
  return typeof value === "number" ? value : null;
}

export function summarizeRun(run: RunRecord): RunSummary {
  const { ledger, history, faults } = run.input;
  const attempts = ledger.flatMap((c) => c.deliveries);
  // Only a chunk's first publish and first delivery: later ones are redeliveries, not queueing.
  const published = firstByJob(history, "job-published");
  const queueWait = [...firstByJob(history, "job-delivered")]
    .filter(([job]) => published.has(job))
    // The server records a publish on its broker receipt, which a fast worker's delivery can beat.
    .map(([job, delivered]) => Math.max(0, delivered - (published.get(job) ?? delivered)));
  return {
    chunks: ledger.length,
    deliveries: attempts.length,
    redeliveries: attempts.filter((a) => a.redelivered).length,
    duplicatesDropped: ledger.reduce((n, c) => n + c.duplicatesDropped, 0),
    faults: faults.length,
    jobMs: spread(workDurations(history)),
    queueWaitMs: spread(queueWait),
    detections: detections(run.input),
    mergeMs: lastFigure(history, "merge-finished", "ms"),
    totalMs: lastFigure(history, "song-done", "totalMs") ?? run.timings.songMs,
  };
}
