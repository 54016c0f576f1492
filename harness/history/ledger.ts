import type { RecordedEvent } from "../../src/events/event-log.js";
import { NEMESES } from "../nemesis/index.js";

export type AttemptOutcome =
  | "acked"
  | "cut-off"
  | "stale-ack"
  | "nacked"
  | "cancelled"
  | "dead-lettered"
  | "crashed"
  | "frozen"
  | "unfinished";

/** One delivery of a chunk to a worker and how it ended. */
export interface DeliveryAttempt {
  worker: string;
  connection: string;
  /** ms since the run started (monotonic). */
  at: number;
  endedAt?: number;
  redelivered: boolean;
  deliveryCount: number;
  outcome: AttemptOutcome;
}

/** Everything that happened to one chunk, from the recorded history alone. */
export interface ChunkLedger {
  job: number;
  music: number;
  chunk: number;
  published: number;
  deliveries: DeliveryAttempt[];
  /** ACKs whose RECEIPT came back on a live connection. */
  ackedReceipted: number;
  resultsPublished: number;
  accepted: number;
  acceptedFrom?: string;
  duplicatesDropped: number;
}

export interface FaultRecord {
  fault: string;
  worker: string | undefined;
  /** The target's link: "worker-3", "server" or "broker". */
  link: string;
  index: number;
  pid: number;
  at: number;
  healedAt?: number;
}

const ENDINGS: Record<string, AttemptOutcome> = {
  "ack-receipted": "acked",
  "ack-failed": "stale-ack",
  nack: "nacked",
  "job-cancelled": "cancelled",
  "dead-lettered": "dead-lettered",
};

export function faultRecords(history: readonly RecordedEvent[], origin: number): FaultRecord[] {
  const faults: FaultRecord[] = [];
  for (const e of history) {
    if (e.type === "fault-injected") {
      faults.push({
        fault: String(e.fault),
        worker: e.worker,
        link: String(e.link ?? ""),
        index: Number(e.target),
        pid: Number(e.targetPid),
        at: e.mono - origin,
      });
    } else if (e.type === "fault-healed") {
      const open = faults.find(
        (f) => f.index === Number(e.target) && f.fault === e.fault && f.healedAt === undefined,
      );
      if (open) open.healedAt = e.mono - origin;
    }
  }
  return faults;
}

export function buildLedger(history: readonly RecordedEvent[], origin: number): ChunkLedger[] {
  const faults = faultRecords(history, origin);
  const chunks = new Map<number, ChunkLedger>();
  const ledgerOf = (e: RecordedEvent): ChunkLedger | undefined =>
    e.job === undefined ? undefined : chunks.get(e.job);
  // Jobs first: a worker can record a delivery before the server records the publish receipt.
  for (const e of history) {
    if (e.type === "job-published" && e.job !== undefined) {
      const entry = chunks.get(e.job) ?? {
        job: e.job,
        music: Number(e.music),
        chunk: Number(e.chunk),
        published: 0,
        deliveries: [],
        ackedReceipted: 0,
        resultsPublished: 0,
        accepted: 0,
        duplicatesDropped: 0,
      };
      entry.published++;
      chunks.set(e.job, entry);
    }
  }
  for (const e of history) {
    const entry = e.type === "job-published" ? undefined : ledgerOf(e);
    if (!entry) continue;
    const at = e.mono - origin;
    if (e.type === "job-delivered") {
      entry.deliveries.push({
        worker: String(e.worker),
        connection: String(e.connection),
        at,
        redelivered: e.redelivered === true,
        deliveryCount: Number(e.deliveryCount ?? 0),
        outcome: "unfinished",
      });
    } else if (e.type === "result-published") {
      entry.resultsPublished++;
    } else if (e.type === "result-accepted") {
      entry.accepted++;
      entry.acceptedFrom = e.worker;
    } else if (e.type === "duplicate-dropped") {
      entry.duplicatesDropped++;
    }
    if (e.type === "ack-receipted") entry.ackedReceipted++;
    const ending = ENDINGS[e.type];
    if (ending) {
      const attempt = [...entry.deliveries]
        .reverse()
        .find((d) => d.worker === e.worker && d.outcome === "unfinished");
      if (attempt) {
        attempt.outcome = ending;
        attempt.endedAt = at;
      }
    }
  }
  // An attempt still open when a fault hit its worker (or the broker) ended there.
  for (const entry of chunks.values()) {
    for (const attempt of entry.deliveries.filter((d) => d.outcome === "unfinished")) {
      const fault = faults.find(
        (f) =>
          (f.worker === attempt.worker || f.link === "broker") &&
          f.at >= attempt.at &&
          NEMESES[f.fault]?.attemptOutcome,
      );
      const outcome = fault && NEMESES[fault.fault]?.attemptOutcome;
      if (fault && outcome) {
        attempt.outcome = outcome;
        attempt.endedAt = fault.at;
      }
    }
  }
  return [...chunks.values()].sort((a, b) => a.job - b.job);
}

/** A chunk's whole recorded history, for a witness: every event that names its job, and the faults on the workers that held it. */
export function chunkHistory(history: readonly RecordedEvent[], job: number, origin: number) {
  const holders = new Set(
    history.filter((e) => e.job === job && e.type === "job-delivered").map((e) => e.worker),
  );
  return history
    .filter((e) => e.job === job || (e.type.startsWith("fault-") && holders.has(e.worker)))
    .map(({ wall: _wall, mono, pid: _pid, job: _job, ...rest }) => ({
      at: Math.round(mono - origin),
      ...rest,
    }));
}
