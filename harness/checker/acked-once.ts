import { chunkHistory } from "../history/ledger.js";
import type { Checker } from "./checker.js";

export const ackedOnce: Checker = {
  name: "acked-once",
  title: "every chunk ACKed exactly once (an ACK counts only with its RECEIPT on a live connection)",
  check(input) {
    const wrong = input.ledger.filter((c) => c.ackedReceipted !== 1);
    const missing = input.expectedChunks - input.ledger.length;
    const ok = wrong.length === 0 && missing === 0;
    const first = wrong[0];
    return {
      check: this.name,
      title: this.title,
      ok,
      summary: ok
        ? `${input.ledger.length} chunks, each ACKed once`
        : missing !== 0
          ? `${input.ledger.length} chunks were published, ${input.expectedChunks} expected`
          : `${wrong.length} chunks ACKed a wrong number of times (Job[${first.job}]: ${first.ackedReceipted})`,
      witness: first && {
        job: first.job,
        chunk: first.chunk,
        acks: first.ackedReceipted,
        history: chunkHistory(input.history, first.job, input.origin),
      },
      figures: { chunks: input.ledger.length, acks: input.ledger.reduce((n, c) => n + c.ackedReceipted, 0) },
    };
  },
};
