import type { SongTones } from "../../src/audio/demo-song.js";
import { seededRandom } from "../../src/audio/seeded-random.js";
import { NEMESES } from "../nemesis/index.js";
import type { Scenario, TargetSelector, WireTrigger } from "../scenario/scenario.js";

export interface PlannedFault {
  fault: string;
  /** Real ms after the first song's jobs were sent (t0); undefined for a fault fired by the wire. */
  atMs?: number;
  /** Fires it the instant a frame crosses a link instead. */
  trigger?: WireTrigger;
  /** Real ms from firing to the heal; undefined: never healed during the run. */
  forMs?: number;
  /** Worker numbers (1-based); 0 is the server, -1 the broker; empty with a trigger: the triggering link's. */
  targets: number[];
  params: Record<string, number>;
}

export interface Plan {
  seed: number;
  /** Synthetic model time of each worker (index 0 is worker 1), real ms. */
  workerJobMs: number[];
  faults: PlannedFault[];
  /** Each song's tones, by workload label, so each seed makes different songs. */
  songs: Record<string, SongTones>;
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
  if (selector === "trigger") return [];
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
        ...(f.at === undefined ? {} : { atMs: Math.round(f.at * scale) }),
        ...(f.on === undefined ? {} : { trigger: f.on }),
        ...(f.for === undefined ? {} : { forMs: Math.round(f.for * scale) }),
        targets: targetsOf(f.targets, scenario),
        params: f.params ?? {},
      };
      return NEMESES[f.fault]?.plan?.(planned, random) ?? [planned];
    })
    .sort((a, b) => (a.atMs ?? Number.POSITIVE_INFINITY) - (b.atMs ?? Number.POSITIVE_INFINITY));
  const pick = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
  const songs: Record<string, SongTones> = {};
  for (const op of scenario.workload) {
    if (op.op !== "upload") continue;
    songs[op.song] = {
      voiceHz: pick(330, 520),
      bassHz: pick(45, 80),
      leftHz: pick(250, 400),
      rightHz: pick(500, 700),
    };
  }
  return {
    seed,
    workerJobMs,
    faults,
    songs,
    budgetMs: Math.round(scenario.budgetSeconds * scale),
  };
}
