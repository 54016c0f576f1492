import { type ChunkLedger, chunkWire } from "../history/ledger.js";
import type { Checker, CheckInput } from "./checker.js";
import { missingChunks } from "./none-lost.js";

/**
 * ACKs beyond the first that a broker crash may explain: the broker lost an ACK with its state and delivered the
 * job again after a crash that came during or after the attempt that ACKed it. An ACK written as the broker
 * dies (after its first connection dropped, before this one did) may be lost as well as one written before.
 * The wire cannot tell a job's copies apart (the product's own attempt header is not evidence), so with two
 * copies out, one crash between their ACKs leaves room for one ACK more: the check's known slack.
 */
function explainedRepeats(input: CheckInput, chunk: ChunkLedger): number {
  const acked = chunk.deliveries.filter((d) => d.outcome === "acked");
  const crashes = input.faults.filter((f) => f.fault === "broker-crash" && f.proof.landed);
  return acked.filter((d, i) => i > 0 && crashes.some((c) => c.at >= acked[i - 1].at && c.at <= d.at)).length;
}

/**
 * Copies a broker crash may have lost: a job SEND the broker never confirmed, with a crash proven after it. (One
 * it confirmed must survive a crash; one unconfirmed with no crash after it reached a live broker.)
 */
function crashLostCopies(input: CheckInput, chunk: ChunkLedger): number {
  const crashes = input.faults.filter((f) => f.fault === "broker-crash" && f.proof.landed);
  return chunk.unconfirmedAt.filter((at) => crashes.some((c) => c.at >= at)).length;
}

export const ackedOnce: Checker = {
  name: "acked-once",
  judgesFrom: ["wire", "operations"],
  trustsBroker: true,
  title:
    "every job message ACKed exactly once, on the wire, on the connection that delivered it (whether or not its RECEIPT came back)",
  check(input) {
    const wrongConnection = input.strayAcks.filter((a) => a.command === "ACK");
    const missing = missingChunks(input).length;
    // A job whose RECEIPT did not come back is published again (after a reconnect or a server restart): each
    // copy is ACKed once, less the copies a broker crash lost before confirming them, plus the ACKs of a copy
    // that a broker crash lost after it was ACKed.
    const wrong = input.ledger.filter((c) => {
      const copies = Math.max(1, c.published);
      return (
        c.acks < Math.max(1, copies - crashLostCopies(input, c)) ||
        c.acks > copies + explainedRepeats(input, c)
      );
    });
    const stray = wrongConnection[0];
    if (stray) {
      const names = stray.belongsTo
        ? `a delivery of Job[${stray.belongsTo.job}] on connection ${stray.belongsTo.connection} (${stray.belongsTo.link})`
        : "no delivery the broker ever made";
      return {
        status: "fail",
        summary: `${wrongConnection.length} ACKs reached the broker on a connection that did not deliver what they name: ${stray.link} connection ${stray.connection} ACKed ${stray.ackId}, which names ${names}`,
        witness: {
          ack: stray,
          history: stray.belongsTo ? chunkWire(input.wire, stray.belongsTo.job, input.origin) : undefined,
        },
      };
    }
    const first = wrong[0];
    const ok = wrong.length === 0 && missing === 0;
    return {
      status: ok ? "pass" : "fail",
      summary: ok
        ? `${input.ledger.length} chunks, each ACKed once on its delivering connection`
        : missing !== 0
          ? `${missing} chunks of the songs that must finish never reached the broker`
          : `${wrong.length} chunks ACKed a wrong number of times (Job[${first.job}]: ${first.acks} ACKs of ${first.published} published)`,
      witness: first && {
        job: first.job,
        chunk: first.chunk,
        acks: first.acks,
        deliveries: first.deliveries,
        history: chunkWire(input.wire, first.job, input.origin),
      },
      figures: { chunks: input.ledger.length, acks: input.ledger.reduce((n, c) => n + c.acks, 0) },
    };
  },
};
