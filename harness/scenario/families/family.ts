/** A parametric scenario name such as crash-2-of-12: resolved without a file. */
export interface ScenarioFamily {
  /** e.g. "crash-K-of-N" */
  readonly form: string;
  readonly pattern: RegExp;
  readonly summary: string;
  /** The raw scenario (validated like a file) for the numbers in the name. */
  build(name: string, numbers: number[]): Record<string, unknown>;
}

/**
 * The original's demo: jobs of 2–3 minutes of model time, one chunk per worker, at 1/50 speed. Its fault came
 * 20 s in; here 100 s (2 s at that speed), still mid-job for every worker (no job is shorter than 2.4 s):
 * twelve 360 KB jobs took up to 1.5 s to reach the last worker through the harness's proxies and taps on a busy
 * machine, and a fault at 0.4 s or 1.2 s came before the last workers held their jobs (the run said unknown).
 */
export const ORIGINAL_TIMING = { jobSeconds: [120, 180], timeScale: 0.02, faultAt: 100 } as const;

/** Rounds of jobs the healthy workers need for all chunks, with the longest job time, plus slack. */
export const budgetFor = (chunks: number, healthyWorkers: number) =>
  Math.ceil(chunks / Math.max(1, healthyWorkers)) * ORIGINAL_TIMING.jobSeconds[1] * 2 + 120;
