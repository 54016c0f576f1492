import type { QueueStats } from "../environment/management-api.js";
import { NEMESES } from "../nemesis/index.js";
import { INJECTED } from "../nemesis/injected-message.js";
import { type ConnectionLife, connectionLives, isFrame, type WireFrame } from "../wire/wire-query.js";
import type { Checker } from "./checker.js";
import { detections } from "./detection.js";

/**
 * The management API can forget what a channel counted when its connection closes: seen, the server killed
 * 0.2 s and 1.5 s after its job SENDs, and stopped (DISCONNECT) 0.4 s after them: "publish 0" of 6, 8 and 2.
 * No age was safe (a bound of 1 s failed a correct run), so the frames of a connection closed before the
 * counters were read may be missing from them; those of a connection still open then may not, and no counter
 * may exceed the wire. Counters read with the cluster still up (`live`) bind every connection that survived.
 */
function unreported(
  frames: readonly WireFrame[],
  lives: Map<number, ConnectionLife>,
  readAt: number,
  match: (f: WireFrame) => boolean,
): number {
  return frames.filter((f) => {
    const closedAt = lives.get(f.connection)?.closedAt;
    return match(f) && closedAt !== undefined && closedAt < readAt;
  }).length;
}

/**
 * Both readings fall short of the truth, never above it: the live one can lag (chaos 5052: "ack 0" of 6, read
 * with the cluster idle and the counters still for 3 s, while the end reading had all 6), the end one misses
 * what closed connections took with them. So each counter is the larger of the two.
 */
const mostCounted = (end: QueueStats, live: QueueStats): QueueStats => ({
  ...end,
  publish: Math.max(end.publish, live.publish),
  deliver: Math.max(end.deliver, live.deliver),
  redeliver: Math.max(end.redeliver, live.redeliver),
  ack: Math.max(end.ack, live.ack),
});

/** A counter must lie between what the wire shows, less what may have gone unreported, and what it shows. */
const outside = (counted: number, expected: number, unreportedFrames: number) =>
  counted > expected || counted < expected - unreportedFrames;

/**
 * The broker's own counters for the job queue must agree with the job SENDs on the wire (and the harness's own),
 * whatever Encore logged: every job published and acked once, each extra delivery a redelivery, at least one redelivery per
 * fault that cost a held job, and nothing left behind once every process has stopped. A broker restart zeroes
 * its counters; then only the end state can be compared.
 */
export const brokerOracle: Checker = {
  name: "broker-oracle",
  judgesFrom: ["broker", "operations"],
  trustsBroker: true,
  title: "broker's counters (management API) agree with the chunks and faults; queues end empty",
  check(input) {
    const { results, error, live } = input.broker;
    // The end state comes from the last reading; each counter from whichever reading saw more of it.
    const end = input.broker.jobs;
    const jobs = end && live?.jobs ? mostCounted(end, live.jobs) : end;
    const readAt = live?.at ?? Number.POSITIVE_INFINITY;
    if (error || !jobs || !end) {
      return {
        status: "unknown",
        summary: `the broker could not be read: ${error ?? "job queue not found"}`,
      };
    }
    const toJobs = (f: WireFrame) => f.headers.destination === input.queues.jobs;
    const frames = input.wire.filter(isFrame);
    // Every job SEND the taps saw reach the broker (a chunk's, or a copy of an injected job a worker sent back
    // after it failed), and every job the harness published itself.
    const injected = input.ops.filter((o) => o.f === "poison-job" && o.type === "ok").length;
    const sentBack = frames.filter(
      (f) =>
        f.command === "SEND" && f.direction === "to-broker" && toJobs(f) && f.headers[INJECTED] !== undefined,
    ).length;
    const chunks = input.ledger.reduce((n, c) => n + c.published, 0) + injected + sentBack;
    const forgot = (how: "all" | "node") =>
      input.faults.some((f) => f.proof.landed && NEMESES[f.fault]?.forgetsCounters === how);
    const restarted = forgot("all");
    // A node that died took the deliveries its channels counted, and those to its consumers that never reached a
    // client (the job comes back flagged redelivered, its first delivery counted nowhere): deliveries can then
    // only be held to the MESSAGE frames the taps saw.
    const nodeDied = forgot("node");
    const deliveredOnWire = frames.filter((f) => f.command === "MESSAGE" && toJobs(f)).length;
    const costly = detections(input).filter((d) => d.job !== null && NEMESES[d.fault]?.redelivers).length;
    const lives = connectionLives(input.wire);
    const lost = {
      // The harness's own injections each close their connection as their RECEIPT comes (chaos 5003: 1 lost).
      publish: unreported(frames, lives, readAt, (f) => f.command === "SEND" && toJobs(f)) + injected,
      deliver: unreported(frames, lives, readAt, (f) => f.command === "MESSAGE" && toJobs(f)),
      ack: unreported(frames, lives, readAt, (f) => f.command === "ACK" && f.link !== "server"),
    };
    const perhaps = (n: number) =>
      n > 0 ? ` (${n} may have gone unreported with their closed connection)` : "";
    const problems = [
      !restarted &&
        outside(jobs.publish, chunks, lost.publish) &&
        `published ${jobs.publish}, expected ${chunks}${perhaps(lost.publish)}`,
      !restarted &&
        outside(jobs.ack, chunks, lost.ack) &&
        `acked ${jobs.ack}, expected ${chunks}${perhaps(lost.ack)}`,
      !restarted &&
        !nodeDied &&
        outside(jobs.deliver, chunks + jobs.redeliver, lost.deliver) &&
        `delivered ${jobs.deliver}, expected ${chunks} + ${jobs.redeliver} redeliveries${perhaps(lost.deliver)}`,
      !restarted &&
        nodeDied &&
        outside(jobs.deliver, deliveredOnWire, lost.deliver) &&
        `delivered ${jobs.deliver}, while the taps saw ${deliveredOnWire} job MESSAGEs${perhaps(lost.deliver)}`,
      !restarted &&
        jobs.redeliver < costly &&
        `${jobs.redeliver} redeliveries for ${costly} faults that cost a held job`,
      (end.ready !== 0 || end.unacked !== 0) &&
        `job queue ends with ${end.ready} ready and ${end.unacked} unacked`,
      results &&
        (results.ready !== 0 || results.unacked !== 0) &&
        `result queue ends with ${results.ready} ready and ${results.unacked} unacked`,
    ].filter((p): p is string => typeof p === "string");
    const counters = `publish ${jobs.publish}, deliver ${jobs.deliver}, redeliver ${jobs.redeliver}, ack ${jobs.ack}`;
    return {
      status: problems.length === 0 ? "pass" : "fail",
      summary:
        problems.length > 0
          ? problems.join("; ")
          : restarted
            ? `queues empty; counters since the broker restart: ${counters}`
            : `${counters}; queues empty${unreportedNote(lost)}`,
      witness: problems.length === 0 ? undefined : { jobs: end, results, ...(live ? { live } : {}) },
      figures: { publish: jobs.publish, deliver: jobs.deliver, redeliver: jobs.redeliver, ack: jobs.ack },
    };
  },
};

function unreportedNote(lost: Record<string, number>): string {
  const parts = Object.entries(lost)
    .filter(([, n]) => n > 0)
    .map(([counter, n]) => `${counter} ${n}`);
  return parts.length > 0
    ? `; may have gone unreported with their closed connections: ${parts.join(", ")}`
    : "";
}
