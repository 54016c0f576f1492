import { chunkHistory } from "../history/ledger.js";
import type { Checker } from "./checker.js";

export const noneLost: Checker = {
  name: "none-lost",
  title: "no chunk lost: each chunk's result accepted exactly once, every extra result dropped and counted",
  check(input) {
    const bad = input.ledger.filter(
      (c) => c.accepted !== 1 || c.duplicatesDropped !== c.resultsPublished - 1,
    );
    const first = bad[0];
    const duplicates = input.ledger.reduce((n, c) => n + c.duplicatesDropped, 0);
    const why = (c: (typeof bad)[number]) =>
      c.accepted === 0
        ? `Job[${c.job}] (chunk ${c.chunk}) was never accepted: it is lost`
        : c.accepted > 1
          ? `Job[${c.job}] was accepted ${c.accepted} times`
          : `Job[${c.job}] had ${c.resultsPublished} results published but ${c.duplicatesDropped} dropped as duplicates`;
    return {
      check: this.name,
      title: this.title,
      ok: bad.length === 0 && input.ledger.length > 0,
      summary:
        bad.length === 0
          ? `${input.ledger.length} chunks accepted once each; ${duplicates} duplicates dropped`
          : why(first),
      witness: first && {
        job: first.job,
        chunk: first.chunk,
        deliveries: first.deliveries,
        history: chunkHistory(input.history, first.job, input.origin),
      },
      figures: {
        accepted: input.ledger.filter((c) => c.accepted === 1).length,
        duplicatesDropped: duplicates,
      },
    };
  },
};
