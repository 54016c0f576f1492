import type { RecordedEvent } from "../../src/events/event-log.js";
import type { AttemptOutcome, ChunkLedger, DeliveryAttempt, FaultRecord } from "../history/ledger.js";
import type { RunRecord } from "../run/run-record.js";
import { type Milestone, milestones } from "./milestones.js";

/** One worker's row. All times are ms since the run started. */
export interface Lane {
  worker: string;
  /** 1-based, in start order. */
  number: number;
  killedAt?: number;
  frozenAt?: number;
}

/** One delivery attempt: from its delivery until the worker last handled the chunk (or a fault stopped it). */
export interface Bar {
  lane: number;
  job: number;
  from: number;
  to: number;
  /** When its ACK was receipted or failed. */
  ackAt?: number;
  outcome: AttemptOutcome;
  redelivered: boolean;
  /** Still at work when the run ended. */
  open: boolean;
  /** The chunk's result was never accepted. */
  chunkLost: boolean;
}

/** A lost attempt and the redelivery that took its place on another worker. */
export interface Handover {
  job: number;
  fromLane: number;
  toLane: number;
  lostAt: number;
  redeliveredAt: number;
}

export interface FaultMark {
  lane: number;
  fault: string;
  at: number;
  healedAt?: number;
}

export interface GanttModel {
  lanes: Lane[];
  bars: Bar[];
  handovers: Handover[];
  faults: FaultMark[];
  milestones: Milestone[];
  /** The time span to draw, ms since the run started. */
  start: number;
  end: number;
}

/** Outcomes after which the broker has to hand the chunk to someone else. */
const LOST: ReadonlySet<AttemptOutcome> = new Set(["crashed", "frozen", "cut-off", "stale-ack"]);

/** Outcomes that end an attempt without its work being finished. */
const HANDED_BACK: ReadonlySet<AttemptOutcome> = new Set(["nacked", "cancelled", "dead-lettered"]);

/**
 * Workers in start order. The harness spawns them one after another, so their pids rise with their number;
 * the events do not carry the number itself.
 */
function orderedWorkers(history: readonly RecordedEvent[], faults: readonly FaultRecord[]): string[] {
  const pids = new Map<string, number>();
  const note = (worker: string | undefined, pid: number) => {
    if (worker !== undefined && !pids.has(worker)) pids.set(worker, pid);
  };
  for (const e of history) if (e.proc === "worker") note(e.worker, e.pid);
  for (const f of faults) note(f.worker, f.pid);
  return [...pids].sort(([a, pa], [b, pb]) => pa - pb || a.localeCompare(b)).map(([worker]) => worker);
}

/** The attempt's own events on its worker, up to the worker's next delivery of the same chunk. */
function ownEvents(history: readonly RecordedEvent[], attempt: DeliveryAttempt, job: number, origin: number) {
  const mine = history.filter(
    (e) =>
      e.proc === "worker" && e.worker === attempt.worker && e.job === job && e.mono - origin >= attempt.at,
  );
  const next = mine.findIndex((e, i) => i > 0 && e.type === "job-delivered");
  return next === -1 ? mine : mine.slice(0, next);
}

export function ganttModel(run: RunRecord): GanttModel {
  const { history, origin, ledger } = run.input;
  const workers = orderedWorkers(history, run.input.faults);
  const laneOf = new Map(workers.map((w, i) => [w, i]));
  const faults: FaultMark[] = run.input.faults.flatMap((f) => {
    const lane = f.worker === undefined ? undefined : laneOf.get(f.worker);
    return lane === undefined ? [] : [{ lane, fault: f.fault, at: f.at, healedAt: f.healedAt }];
  });
  const lanes: Lane[] = workers.map((worker, i) => ({
    worker,
    number: i + 1,
    killedAt: faults.find((f) => f.lane === i && f.fault === "kill")?.at,
    frozenAt: faults.find((f) => f.lane === i && f.fault === "freeze")?.at,
  }));
  const faultAfter = (lane: number, t: number) => faults.find((f) => f.lane === lane && f.at >= t);

  const drafts = ledger.flatMap((chunk) =>
    chunk.deliveries.map((attempt) => {
      const lane = laneOf.get(attempt.worker) ?? 0;
      const own = ownEvents(history, attempt, chunk.job, origin);
      const lastOwn = Math.max(attempt.at, attempt.endedAt ?? attempt.at, ...own.map((e) => e.mono - origin));
      const handled = HANDED_BACK.has(attempt.outcome) || own.some((e) => e.type === "work-finished");
      // Work not finished ends at the fault that stopped it, or runs on past the end of the run.
      return { chunk, attempt, lane, to: handled ? lastOwn : faultAfter(lane, attempt.at)?.at };
    }),
  );
  const known = [
    ...drafts.flatMap((d) => [d.attempt.at, d.to ?? d.attempt.at]),
    ...faults.flatMap((f) => [f.at, f.healedAt ?? f.at]),
  ];
  const marks = milestones(run.input);
  const first = Math.min(...known, ...marks.map((m) => m.at));
  const last = Math.max(...known, ...marks.map((m) => m.at));
  const pad = Math.max(100, (last - first) * 0.02);
  const start = Number.isFinite(first) ? Math.max(0, first - pad) : 0;
  const end = Number.isFinite(last) ? last + pad : 1000;

  const bars: Bar[] = drafts.map(({ chunk, attempt, lane, to }) => ({
    lane,
    job: chunk.job,
    from: attempt.at,
    to: to ?? end,
    ackAt: attempt.outcome === "acked" || attempt.outcome === "stale-ack" ? attempt.endedAt : undefined,
    outcome: attempt.outcome,
    redelivered: attempt.redelivered,
    open: to === undefined,
    chunkLost: chunk.resultsAcked === 0,
  }));
  return {
    lanes,
    bars,
    handovers: ledger.flatMap((chunk) => handovers(chunk, laneOf, faults)),
    faults,
    milestones: marks,
    start,
    end,
  };
}

/** An arrow for each lost attempt, from the moment it was lost (its fault) to its redelivery elsewhere. */
function handovers(
  chunk: ChunkLedger,
  laneOf: Map<string, number>,
  faults: readonly FaultMark[],
): Handover[] {
  return chunk.deliveries.flatMap((attempt, i) => {
    if (!LOST.has(attempt.outcome)) return [];
    const redelivery = chunk.deliveries.slice(i + 1).find((d) => d.worker !== attempt.worker);
    const fromLane = laneOf.get(attempt.worker);
    const toLane = redelivery && laneOf.get(redelivery.worker);
    if (!redelivery || fromLane === undefined || toLane === undefined) return [];
    const fault = faults.find((f) => f.lane === fromLane && f.at >= attempt.at && f.at <= redelivery.at);
    return [
      {
        job: chunk.job,
        fromLane,
        toLane,
        lostAt: fault?.at ?? attempt.endedAt ?? attempt.at,
        redeliveredAt: redelivery.at,
      },
    ];
  });
}
