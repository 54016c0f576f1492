import { FrameClassifier } from "../wire/frame-classifier.js";
import { isFrame } from "../wire/wire-query.js";
import type { WireEvent } from "../wire/wire-tap.js";
import type { Checker } from "./checker.js";

/** A result SEND for a job, or a copy of the job a worker sent back after a failure: when, and whether its RECEIPT came back. */
interface SentResult {
  at: number;
  confirmed: boolean;
  what: "result" | "copy sent back";
}

/** What a worker link did with one delivery of a job, in wire order. */
interface Held {
  /** Each result SEND (or copy sent back) for the job since the delivery. */
  results: SentResult[];
  /** An ACK that no result preceded: fine for a cancelled job, a defect if a result follows it. */
  ackedBareAt?: number;
}

export interface EarlyAck {
  link: string;
  job: number;
  ackAt: number;
  why: string;
}

/**
 * The narrow window of at-least-once delivery: a worker that ACKs a job before the broker has confirmed the
 * job's result loses the chunk if the broker dies between the two (the ACK kept, the result not). A timer
 * almost never lands a crash there, so the harness judges the order itself, from the frames: each job ACK must
 * follow the RECEIPT of a result SEND for that job, sent since the delivery; an ACK with no result before it is
 * a cancelled job's, unless a result for that delivery follows it. A worker that failed at the job sends a copy
 * of it back to the jobs queue instead of a result: the same holds for that copy.
 */
export function earlyAcks(
  wire: readonly WireEvent[],
  queues: { jobs: string; results: string },
  origin: number,
): { acks: number; early: EarlyAck[] } {
  const classifier = new FrameClassifier(queues);
  const held = new Map<string, Held>();
  // By `connection/receipt id`: the RECEIPT that confirms a result names it so.
  const awaitingReceipt = new Map<string, SentResult>();
  const early: EarlyAck[] = [];
  let acks = 0;
  for (const f of wire.filter(isFrame)) {
    if (f.command === "RECEIPT") {
      const sent = awaitingReceipt.get(`${f.connection}/${f.headers["receipt-id"]}`);
      if (sent) sent.confirmed = true;
      continue;
    }
    const c = classifier.classify(f);
    if (!c) continue;
    const key = `${f.link}/${c.job}`;
    const at = Math.round(f.at - origin);
    const h = held.get(key);
    if (c.event === "job-delivered") held.set(key, { results: [] });
    else if ((c.event === "result-sent" || c.event === "job-sent") && h) {
      const sent: SentResult = {
        at,
        confirmed: false,
        what: c.event === "result-sent" ? "result" : "copy sent back",
      };
      h.results.push(sent);
      if (f.headers.receipt !== undefined) awaitingReceipt.set(`${f.connection}/${f.headers.receipt}`, sent);
      if (h.ackedBareAt !== undefined) {
        early.push({
          link: f.link,
          job: c.job,
          ackAt: h.ackedBareAt,
          why: `ACKed at ${h.ackedBareAt} ms, before its ${sent.what} was sent (at ${at} ms)`,
        });
        h.ackedBareAt = undefined;
      }
    } else if (c.event === "job-ack" && h) {
      acks++;
      if (h.results.length === 0) h.ackedBareAt = at;
      else if (!h.results.some((r) => r.confirmed)) {
        const last = h.results[h.results.length - 1];
        early.push({
          link: f.link,
          job: c.job,
          ackAt: at,
          why: `ACKed at ${at} ms, ${at - (last?.at ?? at)} ms after its ${last?.what ?? "result"} SEND, before its RECEIPT`,
        });
      }
    }
  }
  return { acks, early };
}

export const confirmedBeforeAck: Checker = {
  name: "confirmed-before-ack",
  judgesFrom: ["wire"],
  title:
    "a worker ACKs a job only once the broker has confirmed its result (the result's RECEIPT came first)",
  check(input) {
    const { acks, early } = earlyAcks(input.wire, input.queues, input.origin);
    if (early.length === 0)
      return {
        status: "pass",
        summary: `${acks} job ACKs, each after its result's RECEIPT (or with no result)`,
      };
    const shown = early.slice(0, 3).map((e) => `Job[${e.job}] on ${e.link}: ${e.why}`);
    return {
      status: "fail",
      summary: `${early.length} of ${acks} job ACKs came before their result was confirmed: ${shown.join("; ")}`,
      witness: early,
    };
  },
};
