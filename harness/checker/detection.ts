import type { ChunkLedger, DeliveryAttempt, FaultRecord } from "../history/ledger.js";
import { NEMESES } from "../nemesis/index.js";
import { connectionLives } from "../wire/wire-query.js";
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
  /** Why there is no detection time: never redelivered, or the faulted attempt finished it itself. */
  missed?: string;
}

const busyAt = (a: DeliveryAttempt, t: number) => a.at <= t && (a.endedAt === undefined || a.endedAt > t);
// An attempt cut off by the fault itself ends at the fault's own time: it was still held then.
const openAt = (a: DeliveryAttempt, t: number) => a.at <= t && (a.endedAt === undefined || a.endedAt >= t);

/**
 * What the machine adds to every bound: a base for the broker's own scheduling, plus four times the longest
 * stall of the harness's timers (its taps and proxies carry every frame, so a stall there delays the wire).
 */
export const slackMs = (input: CheckInput) => 500 + 4 * input.machine.loopDelayMaxMs;

/**
 * How long, between `from` and `to`, at least one healthy worker stood idle: connected (a tap connection open),
 * not under a fault, holding no job. Only then could the broker have handed the held job over; the rest of the
 * time every worker was busy (or the job queued behind others) and the wait is not the broker's.
 */
function idleWorkerMs(input: CheckInput, from: number, to: number): number {
  const attempts = input.ledger.flatMap((c) => c.deliveries);
  const links = [...new Set(attempts.map((a) => a.link))];
  const lives = [...connectionLives(input.wire).values()].map((c) => ({
    link: c.link,
    openedAt: c.openedAt - input.origin,
    closedAt: c.closedAt === undefined ? Number.POSITIVE_INFINITY : c.closedAt - input.origin,
  }));
  const faultedAt = (link: string, t: number) =>
    input.faults.some((f) => f.link === link && f.at <= t && (f.healedAt === undefined || f.healedAt > t));
  const idle = (link: string, t: number) =>
    !faultedAt(link, t) &&
    lives.some((c) => c.link === link && c.openedAt <= t && c.closedAt > t) &&
    !attempts.some((a) => a.link === link && busyAt(a, t));
  const edges = [
    from,
    to,
    ...attempts.flatMap((a) => [a.at, a.endedAt ?? to]),
    ...input.faults.flatMap((f) => [f.at, f.healedAt ?? to]),
    ...lives.flatMap((c) => [c.openedAt, c.closedAt]),
  ]
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  let total = 0;
  for (let k = 1; k < edges.length; k++) {
    const middle = (edges[k - 1] + edges[k]) / 2;
    if (edges[k] > edges[k - 1] && links.some((l) => idle(l, middle))) total += edges[k] - edges[k - 1];
  }
  return total;
}

/**
 * The chunks a faulted link held (delivered, not ACKed or NACKed) when the fault was proven. An ACK that reached
 * the tap while its process could write nothing (killed, stopped) was written before the fault: not held.
 */
export function heldBy(
  ledger: readonly ChunkLedger[],
  fault: FaultRecord,
): { chunk: ChunkLedger; attempt: DeliveryAttempt }[] {
  const silentUntil = NEMESES[fault.fault]?.silences
    ? (fault.healedAt ?? Number.POSITIVE_INFINITY)
    : fault.at;
  return ledger.flatMap((chunk) =>
    chunk.deliveries
      .filter(
        (d) =>
          (d.link === fault.link || (fault.node !== undefined && d.node === fault.node)) &&
          openAt(d, fault.at) &&
          !(d.outcome === "acked" && d.endedAt !== undefined && d.endedAt < silentUntil),
      )
      .map((attempt) => ({ chunk, attempt })),
  );
}

/**
 * Per landed fault that must cost a held job: every job its link held when it landed, when the broker sent
 * that job to another connection, and how that compares with the bound.
 */
export function detections(input: CheckInput): Detection[] {
  return input.faults
    .filter((f) => f.proof.landed)
    .flatMap((fault) => {
      const nemesis = NEMESES[fault.fault];
      const boundMs =
        nemesis?.redelivers && nemesis.boundMs
          ? Math.round(
              nemesis.boundMs(
                input.scenario.heartbeatMs,
                fault.healedAt === undefined ? undefined : fault.healedAt - fault.at,
              ) + slackMs(input),
            )
          : null;
      const base = {
        fault: fault.fault,
        worker: fault.worker,
        link: fault.link,
        faultAt: Math.round(fault.at),
        boundMs,
      };
      const held = nemesis?.redelivers ? heldBy(input.ledger, fault) : [];
      if (held.length === 0)
        return [{ ...base, job: null, redeliveredAt: null, waitForWorkerMs: 0, detectionMs: null }];
      return held.map(({ chunk, attempt }): Detection => {
        const redelivery = chunk.deliveries.find(
          (d) => d.at > fault.at && d.connection !== attempt.connection,
        );
        const finishedItself =
          attempt.outcome === "acked" && (!redelivery || (attempt.endedAt ?? 0) < redelivery.at);
        if (!redelivery || finishedItself) {
          const missed = finishedItself
            ? `the faulted attempt ACKed Job[${chunk.job}] itself ${Math.round((attempt.endedAt ?? 0) - fault.at)} ms after the fault: the broker never took it back`
            : `Job[${chunk.job}] was never sent to another connection`;
          return {
            ...base,
            job: chunk.job,
            redeliveredAt: null,
            waitForWorkerMs: 0,
            detectionMs: null,
            missed,
          };
        }
        const detectionMs = idleWorkerMs(input, fault.at, redelivery.at);
        return {
          ...base,
          job: chunk.job,
          redeliveredAt: Math.round(redelivery.at),
          waitForWorkerMs: Math.round(redelivery.at - fault.at - detectionMs),
          detectionMs: Math.round(detectionMs),
        };
      });
    });
}

/**
 * Redeliveries no fault explains: a job the broker sent again although no landed fault that makes it take a
 * job back hit a link that held it (a broker crash explains them all), and no worker NACKed it. Slow links must
 * cause none.
 */
export function spuriousRedeliveries(input: CheckInput): { job: number; link: string; at: number }[] {
  const explaining = input.faults.filter((f) => f.proof.landed && NEMESES[f.fault]?.redelivers);
  return input.ledger.flatMap((chunk) =>
    chunk.deliveries
      .filter((d, i) => i > 0 && d.redelivered)
      .filter((d) => {
        const before = chunk.deliveries.filter((e) => e.at < d.at);
        // A worker that NACKed gave the job back itself.
        if (before.some((e) => e.outcome === "nacked")) return false;
        const earlier = before.flatMap((e) => [e.link, ...(e.node === undefined ? [] : [e.node])]);
        return !explaining.some(
          (f) =>
            f.at <= d.at &&
            (f.fault === "broker-crash" ||
              earlier.includes(f.link) ||
              (f.node !== undefined && earlier.includes(f.node))),
        );
      })
      .map((d) => ({ job: chunk.job, link: d.link, at: Math.round(d.at) })),
  );
}

export const detection: Checker = {
  name: "detection",
  judgesFrom: ["wire", "operations"],
  trustsBroker: true,
  title:
    "each job a fault's link held is sent to another connection within its bound (the fault's heart-beat bound plus the machine's slack), and no redelivery without a fault",
  check(input) {
    const found = detections(input);
    const late = found.filter(
      (d) => d.job !== null && d.boundMs !== null && (d.detectionMs === null || d.detectionMs > d.boundMs),
    );
    const spurious = spuriousRedeliveries(input);
    const measured = found.filter((d) => d.detectionMs !== null);
    const first = late[0];
    const summary = first
      ? `${late.length} held jobs not taken back in time (${first.fault} of ${first.link}: ${first.missed ?? `${first.detectionMs} ms, bound ${first.boundMs} ms`})`
      : spurious.length > 0
        ? `${spurious.length} redeliveries no fault explains (Job[${spurious[0].job}] to ${spurious[0].link})`
        : measured
            .map((d) => `${d.fault} ${d.link}: Job[${d.job}] redelivered after ${d.detectionMs} ms`)
            .join("; ") || "no landed fault held a job; no redelivery without a fault";
    return {
      status: late.length === 0 && spurious.length === 0 ? "pass" : "fail",
      summary,
      witness: late.length > 0 ? late : spurious.length > 0 ? spurious : undefined,
      figures: {
        slackMs: slackMs(input),
        ...Object.fromEntries(found.map((d, i) => [`${d.fault}-${i + 1}-ms`, d.detectionMs])),
      },
    };
  },
};
