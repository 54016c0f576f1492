import { budgetFor, ORIGINAL_TIMING, type ScenarioFamily } from "./family.js";

export const crash: ScenarioFamily = {
  form: "crash-K-of-N",
  pattern: /^crash-(\d+)-of-(\d+)$/,
  summary: "N workers, K of them SIGKILLed mid-job 100 s in, like the original's demo (crash-2-of-12)",
  build: (name, [k, n]) => ({
    name,
    description: `${n} workers, one chunk each, jobs of 2-3 minutes; ${k} workers killed (SIGKILL) ${ORIGINAL_TIMING.faultAt} s in, mid-job`,
    workers: { healthy: n - k, unhealthy: k },
    song: { seconds: 2 * n, split: "per-worker" },
    jobSeconds: ORIGINAL_TIMING.jobSeconds,
    heartbeatMs: 2000,
    faults: [{ at: ORIGINAL_TIMING.faultAt, fault: "kill", targets: "unhealthy" }],
    timeScale: ORIGINAL_TIMING.timeScale,
    budgetSeconds: budgetFor(n, n - k),
  }),
};
