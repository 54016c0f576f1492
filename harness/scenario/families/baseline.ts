import { budgetFor, ORIGINAL_TIMING, type ScenarioFamily } from "./family.js";

export const baseline: ScenarioFamily = {
  form: "baseline-N",
  pattern: /^baseline-(\d+)$/,
  summary: "N healthy workers, one chunk each, no faults: the reference for every other run",
  build: (name, [n]) => ({
    name,
    description: `${n} healthy workers, one chunk each, no faults`,
    workers: { healthy: n, unhealthy: 0 },
    song: { seconds: 2 * n, split: "per-worker" },
    jobSeconds: ORIGINAL_TIMING.jobSeconds,
    heartbeatMs: 2000,
    faults: [],
    timeScale: ORIGINAL_TIMING.timeScale,
    budgetSeconds: budgetFor(n, n),
  }),
};
