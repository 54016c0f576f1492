import type { Scenario } from "../scenario/scenario.js";
import { seededRandom } from "./seeded-random.js";

export interface PlannedFault {
  fault: string;
  /** Real ms after the song's jobs were sent. */
  atMs: number;
  /** Real ms after the song's jobs were sent; undefined: never healed during the run. */
  healAtMs?: number;
  /** 1-based worker numbers. */
  targets: number[];
}

export interface Plan {
  seed: number;
  /** Synthetic model time of each worker (index 0 is worker 1), real ms. */
  workerJobMs: number[];
  faults: PlannedFault[];
  /** The song's tones, so each seed makes a different song. */
  song: { voiceHz: number; bassHz: number; leftHz: number; rightHz: number };
  budgetMs: number;
}

/** Everything random about a run comes from here, from the seed alone: same seed, same song, same schedule. */
export function planRun(scenario: Scenario, seed: number): Plan {
  const random = seededRandom(seed);
  const scale = scenario.timeScale * 1000;
  const total = scenario.workers.healthy + scenario.workers.unhealthy;
  const [min, max] = scenario.jobSeconds;
  const workerJobMs = Array.from({ length: total }, () => Math.round((min + random() * (max - min)) * scale));
  const unhealthy = Array.from(
    { length: scenario.workers.unhealthy },
    (_, i) => scenario.workers.healthy + i + 1,
  );
  const faults = scenario.faults.map((f) => ({
    fault: f.fault,
    atMs: Math.round(f.at * scale),
    healAtMs: f.for === undefined ? undefined : Math.round((f.at + f.for) * scale),
    targets: f.targets === "unhealthy" ? unhealthy : [...f.targets],
  }));
  const pick = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  return {
    seed,
    workerJobMs,
    faults,
    song: { voiceHz: pick(330, 520), bassHz: pick(45, 80), leftHz: pick(250, 400), rightHz: pick(500, 700) },
    budgetMs: Math.round(scenario.budgetSeconds * scale),
  };
}
