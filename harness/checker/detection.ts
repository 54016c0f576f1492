import type { ChunkLedger, DeliveryAttempt, FaultRecord } from "../history/ledger.js";
import type { Checker, CheckInput } from "./checker.js";

export interface Detection {
  fault: string;
  worker: string | undefined;
  job: number | null;
  faultAt: number;
  redeliveredAt: number | null;
  /** Time the chunk had to wait for a free worker after the fault (every worker busy): not the broker's fault. */
  waitForWorkerMs: number;
  detectionMs: number | null;
  boundMs: number;
}

/** How long the broker may take to notice each fault: a reset TCP connection at once, a silent one by heart-beats. */
const boundFor = (fault: string, heartbeatMs: number) => (fault === "freeze" ? 2.5 * heartbeatMs : 1000);

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

export function detections(input: CheckInput): Detection[] {
  return input.faults.map((fault: FaultRecord) => {
    const boundMs = boundFor(fault.fault, input.scenario.heartbeatMs);
    const held: ChunkLedger | undefined = input.ledger.find((c) =>
      c.deliveries.some(
        (d) =>
          d.worker === fault.worker &&
          d.at <= fault.at &&
          (d.endedAt === undefined || d.endedAt >= fault.at) &&
          d.outcome !== "acked",
      ),
    );
    const redelivery = held?.deliveries.find((d) => d.at > fault.at && d.worker !== fault.worker);
    if (!held || !redelivery) {
      return {
        fault: fault.fault,
        worker: fault.worker,
        job: held?.job ?? null,
        faultAt: fault.at,
        redeliveredAt: null,
        waitForWorkerMs: 0,
        detectionMs: null,
        boundMs,
      };
    }
    const ready = firstFreeWorker(input, fault.at);
    return {
      fault: fault.fault,
      worker: fault.worker,
      job: held.job,
      faultAt: Math.round(fault.at),
      redeliveredAt: Math.round(redelivery.at),
      waitForWorkerMs: Math.round(ready - fault.at),
      detectionMs: Math.round(
        Math.max(0, redelivery.at - Math.max(fault.at, Math.min(ready, redelivery.at))),
      ),
      boundMs,
    };
  });
}

export const detection: Checker = {
  name: "detection",
  title: "each fault's chunk is redelivered within its bound (SIGKILL: 1 s; freeze: 2.5 × heart-beat)",
  check(input) {
    const found = detections(input);
    const late = found.filter((d) => d.job !== null && (d.detectionMs === null || d.detectionMs > d.boundMs));
    const measured = found.filter((d) => d.detectionMs !== null);
    return {
      check: this.name,
      title: this.title,
      ok: late.length === 0,
      summary:
        found.length === 0
          ? "no faults injected"
          : late.length > 0
            ? `${late.length} faults not detected in time (worker ${late[0].worker}, Job[${late[0].job}]: ${late[0].detectionMs ?? "never"} ms, bound ${late[0].boundMs} ms)`
            : measured
                .map((d) => `${d.fault} ${d.worker}: Job[${d.job}] redelivered after ${d.detectionMs} ms`)
                .join("; ") || "the faulted workers held no job",
      witness: late.length > 0 ? late : undefined,
      figures: Object.fromEntries(found.map((d, i) => [`${d.fault}-${i + 1}-ms`, d.detectionMs])),
    };
  },
};
