import type { ChunkLedger, DeliveryAttempt, FaultRecord } from "../history/ledger.js";
import { NEMESES } from "../nemesis/index.js";
import type { Checker, CheckInput } from "./checker.js";

export interface Detection {
  fault: string;
  worker: string | undefined;
  /** The target's link ("worker-3", "server", "broker"). */
  link: string;
  job: number | null;
  faultAt: number;
  redeliveredAt: number | null;
  /** Time the chunk had to wait for a free worker after the fault (every worker busy): not the broker's fault. */
  waitForWorkerMs: number;
  detectionMs: number | null;
  boundMs: number | null;
}

const busyAt = (attempt: DeliveryAttempt, t: number) =>
  attempt.at <= t && (attempt.endedAt === undefined || attempt.endedAt > t);

/** The first moment at or after `from` when some worker that is not faulted holds no job. */
function firstFreeWorker(input: CheckInput, from: number): number {
  const attempts = input.ledger.flatMap((c) => c.deliveries);
  const workers = [...new Set(attempts.map((a) => a.worker))];
  const faultedAt = (w: string, t: number) =>
    input.faults.some((f) => f.worker === w && f.at <= t && (f.healedAt === undefined || f.healedAt > t));
  const candidates = [
    from,
    ...attempts.map((a) => a.endedAt ?? Number.POSITIVE_INFINITY).filter((t) => t >= from),
  ].sort((a, b) => a - b);
  for (const t of candidates) {
    if (workers.some((w) => !faultedAt(w, t) && !attempts.some((a) => a.worker === w && busyAt(a, t))))
      return t;
  }
  return from;
}

/** The chunk a faulted worker was holding (delivered, not yet ACKed) when the fault struck. */
const heldBy = (input: CheckInput, fault: FaultRecord): ChunkLedger | undefined =>
  fault.worker === undefined
    ? undefined
    : input.ledger.find((c) =>
        c.deliveries.some(
          (d) =>
            d.worker === fault.worker &&
            d.at <= fault.at &&
            (d.endedAt === undefined || d.endedAt >= fault.at) &&
            d.outcome !== "acked",
        ),
      );

/** Per fault on a worker: the chunk it held, when that chunk came back, and how that compares with the bound. */
export function detections(input: CheckInput): Detection[] {
  return input.faults.map((fault) => {
    const nemesis = NEMESES[fault.fault];
    const boundMs =
      nemesis?.redelivers && nemesis.boundMs ? nemesis.boundMs(input.scenario.heartbeatMs) : null;
    const held = nemesis?.redelivers ? heldBy(input, fault) : undefined;
    const redelivery = held?.deliveries.find((d) => d.at > fault.at && d.worker !== fault.worker);
    const base = {
      fault: fault.fault,
      worker: fault.worker,
      link: fault.link,
      faultAt: Math.round(fault.at),
      boundMs,
    };
    if (!held || !redelivery) {
      return { ...base, job: held?.job ?? null, redeliveredAt: null, waitForWorkerMs: 0, detectionMs: null };
    }
    const ready = firstFreeWorker(input, fault.at);
    return {
      ...base,
      job: held.job,
      redeliveredAt: Math.round(redelivery.at),
      waitForWorkerMs: Math.round(ready - fault.at),
      detectionMs: Math.round(
        Math.max(0, redelivery.at - Math.max(fault.at, Math.min(ready, redelivery.at))),
      ),
    };
  });
}

/**
 * Redeliveries no fault explains: a job delivered again although none of its earlier holders was hit by a
 * fault that makes the broker take a job back (a broker crash explains them all). Slow links must cause none.
 */
export function spuriousRedeliveries(input: CheckInput): { job: number; worker: string; at: number }[] {
  const explaining = input.faults.filter((f) => NEMESES[f.fault]?.redelivers);
  return input.ledger.flatMap((chunk) =>
    chunk.deliveries
      .filter((d, i) => i > 0 && d.redelivered)
      .filter((d) => {
        const earlier = chunk.deliveries.filter((e) => e.at < d.at).map((e) => e.worker);
        return !explaining.some(
          (f) =>
            f.at <= d.at && (f.link === "broker" || (f.worker !== undefined && earlier.includes(f.worker))),
        );
      })
      .map((d) => ({ job: chunk.job, worker: d.worker, at: Math.round(d.at) })),
  );
}

export const detection: Checker = {
  name: "detection",
  title:
    "each fault's chunk is redelivered within its bound (SIGKILL: 1 s; freeze, partition, cut: 2.5 × heart-beat), and no redelivery without a fault",
  check(input) {
    const found = detections(input);
    const late = found.filter(
      (d) => d.job !== null && d.boundMs !== null && (d.detectionMs === null || d.detectionMs > d.boundMs),
    );
    const spurious = spuriousRedeliveries(input);
    const measured = found.filter((d) => d.detectionMs !== null);
    const summary =
      late.length > 0
        ? `${late.length} faults not detected in time (worker ${late[0].worker}, Job[${late[0].job}]: ${late[0].detectionMs ?? "never"} ms, bound ${late[0].boundMs} ms)`
        : spurious.length > 0
          ? `${spurious.length} redeliveries no fault explains (Job[${spurious[0].job}] to ${spurious[0].worker})`
          : found.length === 0
            ? "no faults injected; no redeliveries"
            : measured
                .map((d) => `${d.fault} ${d.worker}: Job[${d.job}] redelivered after ${d.detectionMs} ms`)
                .join("; ") || "no fault cost a held job; no redelivery without a fault";
    return {
      check: this.name,
      title: this.title,
      ok: late.length === 0 && spurious.length === 0,
      summary,
      witness: late.length > 0 ? late : spurious.length > 0 ? spurious : undefined,
      figures: Object.fromEntries(found.map((d, i) => [`${d.fault}-${i + 1}-ms`, d.detectionMs])),
    };
  },
};
