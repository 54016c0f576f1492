import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckInput, Status, Verdict } from "../checker/checker.js";
import type { Scenario, Stem } from "../scenario/scenario.js";
import type { Plan } from "../schedule/plan.js";
import type { Phase } from "./phase-clock.js";

/** One song of the workload as the harness's client saw it, with its output and reference folders. */
export interface SongFacts {
  label: string;
  /** The uploaded file, relative to the run's folder. */
  file: string;
  seconds: number;
  /** The stems of the last mix asked for. */
  tracks: Stem[];
  /** Chunks it must become, from the scenario. */
  chunks: number;
  /** The id the server gave its upload; null if the upload never succeeded. */
  musicId: number | null;
  /** Last status the client saw, and the server's error text for a failed song. */
  status: string;
  error?: string;
  done: boolean;
  elapsedMs?: number;
  budgetMs: number;
  /** What GET /music/{id} answered after a reset that came after its upload. */
  afterReset?: { status: number; songStatus?: string };
  output: { dir: string; error?: string };
  reference: { dir: string; error?: string; ms?: number };
}

/**
 * What a run observed besides the events: saved as run.json beside events/, so the verdicts and reports can be
 * rebuilt later from the recorded run alone (`npm run report <dir>`).
 */
export interface RunFacts {
  scenario: Scenario;
  plan: Plan;
  seed: number;
  replay: string;
  /** Monotonic ms at the start of the run: event times are measured from it. */
  origin: number;
  environment: {
    /** `image`: the container image that ran, null for a broker not in a container. */
    broker: { kind: string; image?: string | null; description: string; why: string };
    toxiproxy: { kind: string; description: string };
  };
  queues: CheckInput["queues"];
  links: CheckInput["links"];
  machine: CheckInput["machine"];
  broker: CheckInput["broker"];
  songs: SongFacts[];
  timings: {
    startedAt: string;
    brokerReadyMs: number;
    clusterReadyMs: number;
    songMs: number | null;
    referenceMs: number | null;
    wallMs: number;
    /** Consecutive stretches of the run up to the verdicts: where the wall time went (records before 2026-11-27 lack it). */
    phases?: Phase[];
  };
}

/** A judged run: the facts, the check input built from the history, and the verdicts. */
export interface RunRecord extends Pick<RunFacts, "seed" | "replay" | "environment" | "timings"> {
  input: CheckInput;
  checks: Verdict[];
  verdict: Status;
  /** verdict === "pass". */
  ok: boolean;
  timeline: string[];
}

export const writeRunFacts = (dir: string, facts: RunFacts) =>
  writeFileSync(join(dir, "run.json"), `${JSON.stringify(facts, null, 2)}\n`);

const REQUIRED = [
  "scenario",
  "plan",
  "seed",
  "origin",
  "queues",
  "links",
  "machine",
  "broker",
  "songs",
  "timings",
];

/** Reads run.json; a file from another version of the harness (or not a run at all) is named, not half-read. */
export function readRunFacts(dir: string): RunFacts {
  const file = join(dir, "run.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} cannot be read: ${(error as Error).message}`);
  }
  const missing = REQUIRED.filter((key) => typeof raw !== "object" || raw === null || !(key in raw));
  if (missing.length > 0)
    throw new Error(
      `${file} is not a run record this harness can judge (no ${missing.join(", ")}): it comes from another version; run the scenario again`,
    );
  // Every field the judges read is checked above; their insides are the harness's own writing.
  return raw as RunFacts;
}
