import { INJECTED } from "../nemesis/injected-message.js";
import { isFrame, type WireFrame } from "../wire/wire-query.js";
import type { Checker } from "./checker.js";

/**
 * Every message the harness injected (a poison job, a malformed result) is set aside, from the wire: it fails
 * at most the scenario's limit times (each failure is a NACK, or a copy a worker sends back to the jobs queue
 * with its failure count before it ACKs), then it is copied to the dead-letter queue and ACKed, so it neither
 * loops nor blocks. Whether its song failed clearly (or finished) is the liveness check's.
 */
export const badInputSetAside: Checker = {
  name: "bad-input-set-aside",
  judgesFrom: ["wire", "operations"],
  trustsBroker: true,
  title:
    "every injected poison job or malformed result is dead-lettered within the failure limit (NACKs and copies sent back) and ACKed",
  check(input) {
    const injected = input.faults.filter(
      (f) => (f.fault === "poison-job" || f.fault === "bad-result") && f.proof.landed,
    );
    if (injected.length === 0) return { status: "pass", summary: "nothing injected in this run" };
    const frames = input.wire.filter(isFrame).filter((f) => f.headers[INJECTED] !== undefined);
    const limit = input.scenario.deliveryLimit;
    const verdicts = [...new Set(injected.map((f) => f.fault))].map((kind) => {
      const mine = (f: WireFrame) => f.headers[INJECTED] === kind;
      const deliveries = frames.filter((f) => mine(f) && f.command === "MESSAGE");
      const ackIds = new Set(deliveries.map((d) => `${d.connection}/${d.headers.ack}`));
      const settles = input.wire
        .filter(isFrame)
        .filter(
          (f) =>
            (f.command === "ACK" || f.command === "NACK") && ackIds.has(`${f.connection}/${f.headers.id}`),
        );
      const sentTo = (queue: string | undefined) =>
        frames.filter((f) => mine(f) && f.command === "SEND" && f.headers.destination === queue);
      const deadLettered = sentTo(input.queues.deadLetter);
      // The harness publishes with its own connection, off the wire: a copy on the wire is a product's.
      const copies = sentTo(input.queues.jobs);
      const sentBack = copies.length;
      const acked = settles.filter((f) => f.command === "ACK").length;
      // A copy whose delivery was then never ACKed (its connection closed first) leaves two messages to go round:
      // the copy, and the delivery the broker gives out again. Each may fail up to the limit.
      const unacked = new Set<WireFrame>();
      for (const copy of copies) {
        const delivery = deliveries.filter((d) => d.connection === copy.connection && d.at <= copy.at).at(-1);
        const ackedHere = settles.some(
          (f) =>
            f.command === "ACK" && f.connection === copy.connection && f.headers.id === delivery?.headers.ack,
        );
        if (delivery && !ackedHere) unacked.add(delivery);
      }
      const forks = unacked.size;
      const allowed = limit * (1 + forks);
      // A reset after its song's upload cancels the message with the song: a worker that ACKs it unread after the
      // reset has set it aside as surely as the dead-letter queue would (found by the soak, seed 5012).
      const resetAt = input.ops.find((o) => o.f === "reset" && o.type === "invoke")?.at;
      const song = input.songs.find((s) => String(s.musicId) === deliveries[0]?.headers["music-id"]);
      const cancelled =
        song?.expect === "gone" &&
        resetAt !== undefined &&
        settles.some((f) => f.command === "ACK" && f.at > resetAt);
      // Each NACK or copy sent back is an attempt that failed; a crash or a cut also brings a message back, without one.
      const nacks = settles.filter((f) => f.command === "NACK").length;
      const returned = nacks + sentBack;
      const why =
        returned > allowed
          ? `returned to the queue ${returned} times (${nacks} NACKs, ${sentBack} copies sent back; delivered ${deliveries.length} times), past the limit of ${limit}${forks > 0 ? ` for each of ${1 + forks} copies (${forks} sent back by a delivery never ACKed)` : ""}: it loops instead of being set aside`
          : deadLettered.length === 0 && !cancelled
            ? `delivered ${deliveries.length} times and never sent to the dead-letter queue (${input.queues.deadLetter})`
            : acked === 0
              ? "copied to the dead-letter queue but never ACKed: it stays in its queue"
              : undefined;
      return {
        kind,
        deliveries: deliveries.length,
        nacks,
        sentBack,
        forks,
        deadLettered: deadLettered.length,
        deadLetteredBy: deadLettered[0]?.link ?? null,
        cancelled: cancelled && deadLettered.length === 0,
        why,
      };
    });
    const bad = verdicts.find((v) => v.why);
    return {
      status: bad ? "fail" : "pass",
      summary: bad
        ? `the ${bad.kind} message was ${bad.why}`
        : verdicts
            .map(
              (v) =>
                `${v.kind}: delivered ${v.deliveries} times, returned ${v.nacks + v.sentBack} (limit ${limit}${v.forks > 0 ? ` for each of ${1 + v.forks} copies` : ""}), ${v.cancelled ? "dropped as cancelled after its song's reset" : `dead-lettered by ${v.deadLetteredBy}`}`,
            )
            .join("; "),
      witness: bad && verdicts,
      figures: Object.fromEntries(verdicts.map((v) => [`${v.kind}Deliveries`, v.deliveries])),
    };
  },
};
