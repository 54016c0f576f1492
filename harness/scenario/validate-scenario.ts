import { type FaultSpec, type Scenario, TARGET_WORDS, WORKER_KINDS, type WorkerKind } from "./scenario.js";

export class ScenarioError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function number(where: string, v: unknown, min: number, max: number, integer = false): number {
  if (
    typeof v !== "number" ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    throw new ScenarioError(
      `${where} is ${JSON.stringify(v)}: expected ${integer ? "a whole number" : "a number"} from ${min} to ${max}`,
    );
  }
  return v;
}

function numbers(where: string, v: unknown): Record<string, number> {
  if (!isObject(v))
    throw new ScenarioError(`${where} is ${JSON.stringify(v)}: expected an object of numbers`);
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, number(`${where}.${k}`, x, 0, 10_000_000)]),
  );
}

/** Checks a scenario read from a file (or built by a family) and names the first bad field and its value. */
export function validateScenario(raw: unknown, source: string, knownFaults: readonly string[]): Scenario {
  if (!isObject(raw)) throw new ScenarioError(`${source}: expected a JSON object`);
  const at = (field: string) => `${source}: ${field}`;
  const workers = isObject(raw.workers) ? raw.workers : {};
  const song = isObject(raw.song) ? raw.song : {};
  const kind = workers.kind ?? "standard";
  if (!(WORKER_KINDS as readonly unknown[]).includes(kind)) {
    throw new ScenarioError(
      `${at("workers.kind")} is ${JSON.stringify(kind)}: expected one of ${WORKER_KINDS.join(", ")}`,
    );
  }
  const split = song.split ?? "per-worker";
  if (split !== "per-worker") number(at("song.split"), split, 0.5, 3600);
  const jobSeconds = raw.jobSeconds;
  if (!Array.isArray(jobSeconds) || jobSeconds.length !== 2) {
    throw new ScenarioError(`${at("jobSeconds")} is ${JSON.stringify(jobSeconds)}: expected [min, max]`);
  }
  const scenario: Scenario = {
    name: typeof raw.name === "string" && raw.name ? raw.name : source,
    description: typeof raw.description === "string" ? raw.description : "",
    workers: {
      healthy: number(at("workers.healthy"), workers.healthy, 0, 64, true),
      unhealthy: number(at("workers.unhealthy"), workers.unhealthy ?? 0, 0, 64, true),
      kind: kind as WorkerKind,
    },
    song: {
      seconds: number(at("song.seconds"), song.seconds, 1, 600),
      split: split as Scenario["song"]["split"],
    },
    jobSeconds: [
      number(at("jobSeconds[0]"), jobSeconds[0], 0, 3600),
      number(at("jobSeconds[1]"), jobSeconds[1], 0, 3600),
    ],
    heartbeatMs: number(at("heartbeatMs"), raw.heartbeatMs ?? 2000, 1000, 60_000, true),
    faults: [],
    timeScale: number(at("timeScale"), raw.timeScale ?? 1, 0.0001, 10),
    budgetSeconds: number(at("budgetSeconds"), raw.budgetSeconds, 1, 1_000_000),
  };
  if (raw.servesAfterHeal !== undefined) {
    if (typeof raw.servesAfterHeal !== "boolean")
      throw new ScenarioError(
        `${at("servesAfterHeal")} is ${JSON.stringify(raw.servesAfterHeal)}: expected true or false`,
      );
    scenario.servesAfterHeal = raw.servesAfterHeal;
  }
  if (scenario.jobSeconds[0] > scenario.jobSeconds[1]) {
    throw new ScenarioError(`${at("jobSeconds")} is ${JSON.stringify(jobSeconds)}: min is larger than max`);
  }
  if (scenario.workers.healthy + scenario.workers.unhealthy < 1)
    throw new ScenarioError(`${source}: the scenario has no workers`);
  const faults = raw.faults ?? [];
  if (!Array.isArray(faults)) throw new ScenarioError(`${at("faults")}: expected a list`);
  const total = scenario.workers.healthy + scenario.workers.unhealthy;
  scenario.faults = faults.map((f: unknown, i): FaultSpec => {
    const where = at(`faults[${i}]`);
    if (!isObject(f)) throw new ScenarioError(`${where}: expected an object`);
    if (typeof f.fault !== "string" || !knownFaults.includes(f.fault)) {
      throw new ScenarioError(
        `${where}.fault is ${JSON.stringify(f.fault)}: expected one of ${knownFaults.join(", ")}`,
      );
    }
    const targets = f.targets ?? "unhealthy";
    if (!(TARGET_WORDS as readonly unknown[]).includes(targets)) {
      if (!Array.isArray(targets) || targets.length === 0) {
        throw new ScenarioError(
          `${where}.targets is ${JSON.stringify(targets)}: expected one of ${TARGET_WORDS.join(", ")} or worker numbers`,
        );
      }
      for (const [k, t] of targets.entries()) number(`${where}.targets[${k}]`, t, 1, total, true);
    }
    return {
      at: number(`${where}.at`, f.at, 0, 1_000_000),
      fault: f.fault,
      targets: targets as FaultSpec["targets"],
      ...(f.for === undefined ? {} : { for: number(`${where}.for`, f.for, 0, 1_000_000) }),
      ...(f.params === undefined ? {} : { params: numbers(`${where}.params`, f.params) }),
    };
  });
  return scenario;
}
