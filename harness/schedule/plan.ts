import { NEMESES } from "../nemesis/index.js";
import type { Scenario, TargetSelector } from "../scenario/scenario.js";
import { seededRandom } from "./seeded-random.js";

export interface PlannedFault {
  fault: string;
  /** Real ms after the song's jobs were sent. */
  atMs: number;
  /** Real ms after the song's jobs were sent; undefined: never healed during the run. */
  healAtMs?: number;
  /** Worker numbers (1-based); 0 is the server, -1 the broker. */
  targets: number[];
  params: Record<string, number>;
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

function targetsOf(selector: TargetSelector, scenario: Scenario): number[] {
  const total = scenario.workers.healthy + scenario.workers.unhealthy;
  const workers = Array.from({ length: total }, (_, i) => i + 1);
  if (selector === "unhealthy") return workers.slice(scenario.workers.healthy);
  if (selector === "workers") return workers;
  if (selector === "server") return [0];
  if (selector === "all") return [0, ...workers];
  if (selector === "broker") return [-1];
  return [...selector];
}

/** Everything random about a run comes from here, from the seed alone: same seed, same song, same schedule. */
export function planRun(scenario: Scenario, seed: number): Plan {
  const random = seededRandom(seed);
  const scale = scenario.timeScale * 1000;
  const total = scenario.workers.healthy + scenario.workers.unhealthy;
  const [min, max] = scenario.jobSeconds;
  const workerJobMs = Array.from({ length: total }, () => Math.round((min + random() * (max - min)) * scale));
  const faults = scenario.faults
    .flatMap((f) => {
      const planned: PlannedFault = {
        fault: f.fault,
        atMs: Math.round(f.at * scale),
        healAtMs: f.for === undefined ? undefined : Math.round((f.at + f.for) * scale),
        targets: targetsOf(f.targets, scenario),
        params: f.params ?? {},
      };
      return NEMESES[f.fault]?.plan?.(planned, random) ?? [planned];
    })
    .sort((a, b) => a.atMs - b.atMs);
  const pick = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  return {
    seed,
    workerJobMs,
    faults,
    song: { voiceHz: pick(330, 520), bassHz: pick(45, 80), leftHz: pick(250, 400), rightHz: pick(500, 700) },
    budgetMs: Math.round(scenario.budgetSeconds * scale),
  };
}
