import type { Checker } from "./checker.js";

export const liveness: Checker = {
  name: "liveness",
  judgesFrom: ["operations"],
  title: "the song finishes within the scenario's budget",
  check(input) {
    const { done, elapsedMs, budgetMs, status } = input.song;
    const ok = done && elapsedMs !== undefined && elapsedMs <= budgetMs;
    return {
      status: ok ? "pass" : "fail",
      summary: done
        ? `done in ${((elapsedMs ?? 0) / 1000).toFixed(2)} s (budget ${(budgetMs / 1000).toFixed(2)} s)`
        : `not done within ${(budgetMs / 1000).toFixed(2)} s (status ${status})`,
      witness: ok
        ? undefined
        : {
            status,
            budgetMs,
            unfinished: input.ledger.filter((c) => c.resultsAcked === 0).map((c) => c.job),
          },
      figures: { elapsedMs: elapsedMs ?? null, budgetMs },
    };
  },
};
