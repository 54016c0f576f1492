import { isJsonObject as isObject } from "../json-object.js";
import {
  type FaultSpec,
  type Scenario,
  SERVER_KINDS,
  type ServerKind,
  STEMS,
  type Stem,
  TARGET_WORDS,
  TRIGGER_EVENTS,
  type TriggerEvent,
  type WireTrigger,
  WORKER_KINDS,
  type WorkerKind,
  type WorkloadOp,
} from "./scenario.js";

export class ScenarioError extends Error {}

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

function oneOf<T extends string>(where: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    throw new ScenarioError(`${where} is ${JSON.stringify(v)}: expected one of ${allowed.join(", ")}`);
  return v as T;
}

function tracks(where: string, v: unknown): Stem[] {
  if (v === undefined) return ["drums", "bass", "other"];
  if (!Array.isArray(v) || v.length === 0)
    throw new ScenarioError(
      `${where} is ${JSON.stringify(v)}: expected a list of stems (${STEMS.join(", ")})`,
    );
  return [...new Set(v.map((t, i) => oneOf(`${where}[${i}]`, t, STEMS)))];
}

const LABEL = /^[a-z0-9][a-z0-9-]{0,31}$/;

function label(where: string, v: unknown): string {
  if (typeof v !== "string" || !LABEL.test(v))
    throw new ScenarioError(`${where} is ${JSON.stringify(v)}: expected a label such as "a" or "song-2"`);
  return v;
}

/** The client's operations; a scenario without any plays one song of song.seconds for its karaoke mix. */
function workload(source: string, raw: unknown, seconds: number): WorkloadOp[] {
  if (raw === undefined)
    return [{ at: 0, op: "upload", song: "song", seconds, tracks: tracks("", undefined) }];
  if (!Array.isArray(raw) || raw.length === 0)
    throw new ScenarioError(`${source}: workload is ${JSON.stringify(raw)}: expected a list of operations`);
  const uploaded = new Set<string>();
  const ops = raw.map((o: unknown, i): WorkloadOp => {
    const where = `${source}: workload[${i}]`;
    if (!isObject(o)) throw new ScenarioError(`${where}: expected an object`);
    const at = number(`${where}.at`, o.at, 0, 1_000_000);
    const op = oneOf(`${where}.op`, o.op, ["upload", "remix", "reset"] as const);
    if (op === "reset") return { at, op };
    const song = label(`${where}.song`, o.song);
    if (op === "upload") {
      if (uploaded.has(song)) throw new ScenarioError(`${where}.song: "${song}" is uploaded twice`);
      uploaded.add(song);
      return {
        at,
        op,
        song,
        seconds: number(`${where}.seconds`, o.seconds ?? seconds, 1, 600),
        tracks: tracks(`${where}.tracks`, o.tracks),
      };
    }
    if (!uploaded.has(song)) throw new ScenarioError(`${where}.song: "${song}" is not uploaded before`);
    return { at, op, song, tracks: tracks(`${where}.tracks`, o.tracks) };
  });
  if (ops[0].op !== "upload" || ops[0].at !== 0)
    throw new ScenarioError(`${source}: workload[0] must be an upload at 0 (t0 is when its jobs were sent)`);
  return ops;
}

function trigger(
  where: string,
  raw: unknown,
  songs: readonly string[],
  links: readonly string[],
): WireTrigger {
  if (!isObject(raw)) throw new ScenarioError(`${where} is ${JSON.stringify(raw)}: expected an object`);
  const t: WireTrigger = {
    event: oneOf<TriggerEvent>(`${where}.event`, raw.event, TRIGGER_EVENTS),
    nth: number(`${where}.nth`, raw.nth ?? 1, 1, 100_000, true),
  };
  if (raw.link !== undefined) t.link = oneOf(`${where}.link`, raw.link, links);
  if (raw.song !== undefined) t.song = oneOf(`${where}.song`, raw.song, songs);
  if (raw.delayMs !== undefined) t.delayMs = number(`${where}.delayMs`, raw.delayMs, 0, 600_000, true);
  return t;
}

/** Checks a scenario read from a file (or built by a family) and names the first bad field and its value. */
export function validateScenario(
  raw: unknown,
  source: string,
  faultKinds: Readonly<Record<string, { firedBy?: readonly string[] }>>,
): Scenario {
  const knownFaults = Object.keys(faultKinds);
  if (!isObject(raw)) throw new ScenarioError(`${source}: expected a JSON object`);
  const at = (field: string) => `${source}: ${field}`;
  const workers = isObject(raw.workers) ? raw.workers : {};
  const song = isObject(raw.song) ? raw.song : {};
  const server = isObject(raw.server) ? raw.server : {};
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
    workload: [],
    server: { kind: oneOf<ServerKind>(at("server.kind"), server.kind ?? "standard", SERVER_KINDS) },
    heartbeatMs: number(at("heartbeatMs"), raw.heartbeatMs ?? 2000, 1000, 60_000, true),
    deliveryLimit: number(at("deliveryLimit"), raw.deliveryLimit ?? 5, 1, 100, true),
    brokerNodes: number(at("brokerNodes"), raw.brokerNodes ?? 1, 1, 5, true),
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
  scenario.workload = workload(source, raw.workload, scenario.song.seconds);
  const songs = scenario.workload.flatMap((o) => (o.op === "upload" ? [o.song] : []));
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
    const links = ["server", ...Array.from({ length: total }, (_, k) => `worker-${k + 1}`)];
    if ((f.at === undefined) === (f.on === undefined))
      throw new ScenarioError(
        `${where}: give either "at" (a time) or "on" (a wire trigger), not both or neither`,
      );
    if (targets === "trigger" && f.on === undefined)
      throw new ScenarioError(`${where}.targets is "trigger": only a fault with "on" has a triggering link`);
    const firedBy = faultKinds[f.fault]?.firedBy;
    const event = isObject(f.on) ? f.on.event : undefined;
    if (firedBy && !firedBy.includes(String(event)))
      throw new ScenarioError(
        `${where}: ${f.fault} acts on a frame: give "on" with event ${firedBy.join(" or ")}, not ${JSON.stringify(event)}`,
      );
    return {
      ...(f.at === undefined ? {} : { at: number(`${where}.at`, f.at, 0, 1_000_000) }),
      ...(f.on === undefined ? {} : { on: trigger(`${where}.on`, f.on, songs, links) }),
      fault: f.fault,
      targets: targets as FaultSpec["targets"],
      ...(f.for === undefined ? {} : { for: number(`${where}.for`, f.for, 0, 1_000_000) }),
      ...(f.params === undefined ? {} : { params: numbers(`${where}.params`, f.params) }),
    };
  });
  return scenario;
}
