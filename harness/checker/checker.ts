import type { RecordedEvent } from "../../src/events/event-log.js";
import type { QueueStats } from "../environment/management-api.js";
import type { ChunkLedger, FaultRecord } from "../history/ledger.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Plan } from "../schedule/plan.js";

/** What the checkers may look at: the recorded history, the broker's own counters and the outputs. Never Encore's internals. */
export interface CheckInput {
  scenario: Scenario;
  plan: Plan;
  /** Chunks the song must have been split into, computed by the harness from the scenario. */
  expectedChunks: number;
  history: readonly RecordedEvent[];
  /** Monotonic ms of the run's start; ledger and fault times are relative to it. */
  origin: number;
  ledger: readonly ChunkLedger[];
  faults: readonly FaultRecord[];
  broker: { jobs?: QueueStats; results?: QueueStats; error?: string };
  output: { maxDifference?: number; samples?: number; referenceSamples?: number; error?: string };
  song: { status: string; done: boolean; elapsedMs?: number; budgetMs: number };
}

export interface Verdict {
  check: string;
  title: string;
  ok: boolean;
  summary: string;
  /** On failure: the smallest evidence that shows it (for a chunk, its whole delivery history). */
  witness?: unknown;
  /** Measured figures, reported whether the check passed or not. */
  figures?: Record<string, number | string | null>;
}

/** One property of a run, judged from CheckInput alone. Adding a check is adding a file and listing it. */
export interface Checker {
  readonly name: string;
  readonly title: string;
  check(input: CheckInput): Verdict;
}
