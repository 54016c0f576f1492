import type { RecordedEvent } from "../../src/events/event-log.js";
import type { QueueStats } from "../environment/management-api.js";
import type { ChunkLedger, FaultRecord } from "../history/ledger.js";
import type { Operation } from "../history/operations.js";
import type { StrayAck } from "../history/wire-ledger.js";
import type { SongFacts } from "../run/run-record.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Plan } from "../schedule/plan.js";
import type { WireEvent } from "../wire/wire-tap.js";

/** A process of the run: its link, its pid, and the worker id it printed (for people). */
export interface LinkFact {
  link: string;
  index: number;
  pid: number;
  workerId: string | null;
}

/**
 * What the checkers may judge from: what the harness saw itself (the wire, its own operations, the broker's
 * management API, the outputs it downloaded). `history`, the product's own events, is for diagnostics and
 * the self-report check only. Never Encore's internals.
 */
export interface CheckInput {
  /** The run's folder: outputs and reference are read from it. */
  dir: string;
  scenario: Scenario;
  plan: Plan;
  /**
   * Every song of the workload, with what the harness's own actions require of it: "done" (and equal to the
   * reference), "gone" (a reset came after its upload: none of its jobs may be taken as done any more), or
   * "done-or-failed" (a malformed result for it landed).
   */
  songs: readonly (SongFacts & { expect: SongExpectation })[];
  /** Monotonic ms of the run's start; ledger and fault times are relative to it. */
  origin: number;
  queues: { jobs: string; results: string; deadLetter?: string };
  links: readonly LinkFact[];
  wire: readonly WireEvent[];
  ops: readonly Operation[];
  /** What is missing from the harness's own record: lines it cannot read, links the taps could not decode. */
  gaps: readonly Gap[];
  /**
   * What the broker itself was seen to lose, from the harness's own operations: a quorum queue a restart
   * brought back without a leader (its state started over, so what it had confirmed may be gone).
   */
  brokerForgot: readonly string[];
  ledger: readonly ChunkLedger[];
  strayAcks: readonly StrayAck[];
  faults: readonly FaultRecord[];
  /** How late the harness's own timers ran during the run: the machine's load, for the detection bounds. */
  machine: { loopDelayMaxMs: number; loopDelayP99Ms: number; loadAverage: number };
  /**
   * The management API's queues once every process had stopped, and `live`: their counters read earlier, with the
   * cluster idle but still connected, at monotonic ms `at` (a channel that closes can take its counts with it).
   */
  broker: {
    jobs?: QueueStats;
    results?: QueueStats;
    deadLetter?: QueueStats;
    error?: string;
    live?: { at: number; jobs?: QueueStats; results?: QueueStats };
  };
  history: readonly RecordedEvent[];
}

/** "done-or-failed": a malformed result was injected; the song may fail with a clear error, not hang. */
export type SongExpectation = "done" | "gone" | "done-or-failed";

export type JudgedSong = CheckInput["songs"][number];

/** Songs whose every chunk must be done: those that must finish and did not fail as they were allowed to. */
export const finishingSongs = (input: CheckInput): JudgedSong[] =>
  input.songs.filter((s) => s.expect === "done" || (s.expect === "done-or-failed" && s.status !== "failed"));

/** Where a check's evidence comes from: the taps, the harness's operations, the management API, the outputs. */
export type Source = "wire" | "operations" | "broker" | "outputs";

export interface Gap {
  source: Source;
  what: string;
}

/** pass: the property holds; fail: it is broken (the witness shows how); unknown: this run cannot tell. */
export type Status = "pass" | "fail" | "unknown";

export interface Verdict {
  check: string;
  title: string;
  status: Status;
  /** status === "pass". */
  ok: boolean;
  summary: string;
  /** On failure or unknown: the smallest evidence that shows it (for a chunk, its frames on the wire). */
  witness?: unknown;
  /** Measured figures, reported whether the check passed or not. */
  figures?: Record<string, number | string | null>;
}

/** One property of a run, judged from CheckInput alone. Adding a check is adding a file and listing it. */
export interface Checker {
  readonly name: string;
  readonly title: string;
  /** What it judges from: a gap there turns its fail into unknown, since the missing part may be what it lacked. */
  readonly judgesFrom: readonly Source[];
  /**
   * Whether its property holds only if the broker keeps what it confirmed (jobs redelivered after a restart):
   * when the broker was seen to forget, its fail turns unknown, since the product cannot redo what it never gets.
   */
  readonly trustsBroker?: true;
  check(
    input: CheckInput,
  ): Omit<Verdict, "check" | "title" | "ok"> | Promise<Omit<Verdict, "check" | "title" | "ok">>;
}

/** The whole run: fail if any check failed, else unknown if any could not tell, else pass. */
export function overall(checks: readonly Pick<Verdict, "status">[]): Status {
  if (checks.some((c) => c.status === "fail")) return "fail";
  if (checks.some((c) => c.status === "unknown")) return "unknown";
  return "pass";
}

export const EXIT_CODES: Record<Status, number> = { pass: 0, fail: 1, unknown: 3 };

/** How the CLI and reports print a status, aligned. */
export const STATUS_WORDS: Record<Status, string> = { pass: "ok     ", fail: "FAIL   ", unknown: "UNKNOWN" };
