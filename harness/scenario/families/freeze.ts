import { budgetFor, ORIGINAL_TIMING, type ScenarioFamily } from "./family.js";

export const freeze: ScenarioFamily = {
  form: "freeze-K-of-N",
  pattern: /^freeze-(\d+)-of-(\d+)$/,
  summary: "K of N workers SIGSTOPped mid-job until missed heart-beats drop them, then resumed as zombies",
  build: (name, [k, n]) => ({
    name,
    description:
      `${n} workers, one chunk each; ${k} frozen (SIGSTOP) ${ORIGINAL_TIMING.faultAt} s in and resumed (SIGCONT) ` +
      "after their chunks were redelivered and done: their late results must be dropped, their stale ACKs must not count",
    workers: { healthy: n - k, unhealthy: k },
    song: { seconds: 2 * n, split: "per-worker" },
    jobSeconds: ORIGINAL_TIMING.jobSeconds,
    heartbeatMs: 1000,
    // Long enough for the broker to drop the frozen connection and for another worker to redo the chunk.
    faults: [
      {
        at: ORIGINAL_TIMING.faultAt,
        fault: "freeze",
        targets: "unhealthy",
        for: 3 * ORIGINAL_TIMING.jobSeconds[1],
      },
    ],
    timeScale: ORIGINAL_TIMING.timeScale,
    budgetSeconds: budgetFor(n, n - k) + 400,
  }),
};
