/** A parametric scenario name such as crash-2-of-12: resolved without a file. */
export interface ScenarioFamily {
  /** e.g. "crash-K-of-N" */
  readonly form: string;
  readonly pattern: RegExp;
  readonly summary: string;
  /** The raw scenario (validated like a file) for the numbers in the name. */
  build(name: string, numbers: number[]): Record<string, unknown>;
}

/** The original's demo: jobs of 2–3 minutes of model time, one chunk per worker, at 1/50 speed. */
export const ORIGINAL_TIMING = { jobSeconds: [120, 180], timeScale: 0.02, faultAt: 20 } as const;

/** Rounds of jobs the healthy workers need for all chunks, with the longest job time, plus slack. */
export const budgetFor = (chunks: number, healthyWorkers: number) =>
  Math.ceil(chunks / Math.max(1, healthyWorkers)) * ORIGINAL_TIMING.jobSeconds[1] * 2 + 120;
