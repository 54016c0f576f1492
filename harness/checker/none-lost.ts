import { type ChunkLedger, chunkWire } from "../history/ledger.js";
import type { Checker } from "./checker.js";

const lostWhy = (c: ChunkLedger): string | undefined =>
  c.resultsPublished === 0
    ? `Job[${c.job}] (chunk ${c.chunk}): no result ever reached the broker: it is lost`
    : c.resultsAcked === 0
      ? `Job[${c.job}] (chunk ${c.chunk}): ${c.resultsPublished} results reached the broker, the server ACKed none`
      : c.resultsAcked < c.resultsReceipted
        ? `Job[${c.job}]: the broker confirmed ${c.resultsReceipted} results, the server ACKed only ${c.resultsAcked}`
        : undefined;

/**
 * From the wire: every chunk's result reached the broker and the server took it (ACKed it on the connection
 * that delivered it); every result the broker confirmed was taken. That exactly one was merged is the output
 * oracle's to prove: a chunk merged twice or not at all changes the output.
 */
export const noneLost: Checker = {
  name: "none-lost",
  judgesFrom: ["wire"],
  title:
    "no chunk lost: each chunk's result reached the broker and the server ACKed it; every confirmed result taken",
  check(input) {
    const bad = input.ledger.filter((c) => lostWhy(c) !== undefined);
    const missing = input.expectedChunks - input.ledger.length;
    const first = bad[0];
    const extra = input.ledger.reduce((n, c) => n + c.duplicatesDropped, 0);
    const ok = bad.length === 0 && missing === 0 && input.ledger.length > 0;
    return {
      status: ok ? "pass" : "fail",
      summary: first
        ? (lostWhy(first) ?? "")
        : missing !== 0
          ? `${input.ledger.length} chunks' jobs reached the broker, ${input.expectedChunks} expected`
          : `${input.ledger.length} chunks: each result reached the broker and the server ACKed it; ${extra} extra results ACKed (dropped)`,
      witness: first && {
        job: first.job,
        chunk: first.chunk,
        deliveries: first.deliveries,
        history: chunkWire(input.wire, first.job, input.origin),
      },
      figures: {
        taken: input.ledger.filter((c) => c.resultsAcked >= 1).length,
        extraResults: extra,
      },
    };
  },
};
