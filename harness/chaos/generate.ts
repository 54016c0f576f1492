import { seededRandom } from "../../src/audio/seeded-random.js";
import { NEMESES } from "../nemesis/index.js";
import type { ChaosSpec } from "../nemesis/nemesis.js";
import type { ServerKind, WorkerKind } from "../scenario/scenario.js";

export interface ChaosOptions {
  workerKind: WorkerKind;
  serverKind: ServerKind;
  /** Whether the broker environment can be killed and restarted (not an external broker). */
  brokerCrash: boolean;
}

/** Scenario seconds in which chaos acts: songs are uploaded and faults fire in the first part of the run. */
const WINDOW_SECONDS = 100;

/**
 * A random scenario drawn from the seed alone: a few workers (at least two that no fault touches), one to
 * three songs of different lengths uploaded at drawn times, sometimes a remix or a reset, and one to four
 * faults drawn from every nemesis that declares how chaos may use it (its targets, triggers, durations and
 * parameter ranges). Every fault but a worker kill is healed before the end, so the run can finish. Returned
 * raw, to be validated like a scenario file.
 */
export function chaosScenario(seed: number, opts: ChaosOptions): Record<string, unknown> {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const healthy = int(2, 3);
  const unhealthy = int(1, 3);
  const labels = ["a", "b", "c"].slice(0, int(1, 3));
  const workload: Record<string, unknown>[] = labels.map((song, i) => ({
    at: i === 0 ? 0 : int(0, WINDOW_SECONDS - 20),
    op: "upload",
    song,
    seconds: 2 * int(2, 6),
  }));
  if (random() < 0.2)
    workload.push({ at: int(60, WINDOW_SECONDS), op: "remix", song: "a", tracks: ["vocals"] });
  if (random() < 0.15) {
    const at = int(20, WINDOW_SECONDS);
    workload.push({ at, op: "reset" }, { at: at + 10, op: "upload", song: "r", seconds: 2 * int(2, 4) });
    labels.push("r");
  }
  workload.sort((a, b) => Number(a.at) - Number(b.at));
  const drawable = Object.values(NEMESES).filter(
    (n): n is typeof n & { chaos: ChaosSpec } =>
      n.chaos !== undefined && (n.chaos.targets !== "broker" || opts.brokerCrash),
  );
  // One fault at a time per target (a worker, the server, the broker, a song): a second would act on the
  // first's effect, and neither could be proven.
  const taken = new Set<string>();
  const freeWorkers = Array.from({ length: unhealthy }, (_, i) => healthy + 1 + i);
  const faults: Record<string, unknown>[] = [];
  for (let n = int(1, 4); n > 0; n--) {
    const free = drawable.filter((d) =>
      d.chaos.targets === "unhealthy" ? freeWorkers.length > 0 : !taken.has(d.chaos.targets),
    );
    if (free.length === 0) break;
    const nemesis = pick(free);
    const spec = nemesis.chaos;
    taken.add(spec.targets);
    const worker =
      spec.targets === "unhealthy" ? freeWorkers.splice(int(0, freeWorkers.length - 1), 1)[0] : 0;
    const link =
      spec.targets === "unhealthy" ? `worker-${worker}` : spec.targets === "server" ? "server" : undefined;
    const fault: Record<string, unknown> = { fault: nemesis.name };
    const wired = spec.triggers && (spec.targets === "song" || random() < 0.7);
    if (wired && spec.triggers) {
      const event = pick(spec.triggers);
      fault.on = {
        event,
        nth: spec.targets === "song" || spec.targets === "unhealthy" ? 1 : int(1, 4),
        ...(link ? { link } : {}),
        ...(spec.targets === "song" ? { song: pick(labels) } : {}),
        // A worker fault fired by its job's delivery lands mid-job, a moment after the worker started it.
        ...(event === "job-delivered" ? { delayMs: int(100, 1000) } : {}),
      };
    } else fault.at = int(5, WINDOW_SECONDS);
    fault.targets =
      spec.targets === "unhealthy" ? [worker] : spec.targets === "song" ? "broker" : spec.targets;
    if (spec.forSeconds) fault.for = int(spec.forSeconds[0], spec.forSeconds[1]);
    if (spec.params)
      fault.params = Object.fromEntries(
        Object.entries(spec.params).map(([k, [lo, hi]]) => [k, Math.round(lo + random() * (hi - lo))]),
      );
    faults.push(fault);
  }
  return {
    name: `chaos-${seed}`,
    description: `seeded chaos ${seed}: ${healthy} healthy and ${unhealthy} unhealthy workers, ${labels.length} songs, faults: ${faults.map((f) => f.fault).join(", ")}`,
    workers: { healthy, unhealthy, kind: opts.workerKind },
    server: { kind: opts.serverKind },
    song: { seconds: 8, split: 2 },
    workload,
    jobSeconds: [60, 90],
    heartbeatMs: 2000,
    faults,
    timeScale: 0.02,
    budgetSeconds: 3000,
  };
}
