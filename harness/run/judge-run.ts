import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedEvent } from "../../src/events/event-log.js";
import {
  type Checker,
  type CheckInput,
  type Gap,
  overall,
  type SongExpectation,
  type Source,
  type Verdict,
} from "../checker/checker.js";
import { CHECKERS } from "../checker/index.js";
import { faultRecords } from "../history/fault-records.js";
import { loadHistory } from "../history/history.js";
import type { FaultRecord } from "../history/ledger.js";
import { type Operation, readOperations } from "../history/operations.js";
import { buildWireLedger } from "../history/wire-ledger.js";
import { readWireLog } from "../wire/wire-log.js";
import type { WireEvent } from "../wire/wire-tap.js";
import { type RunFacts, type RunRecord, readRunFacts, type SongFacts } from "./run-record.js";

/** What a run's folder holds, as read: the harness's own record and the product's events. */
export interface Recordings {
  dir: string;
  facts: RunFacts;
  wire: WireEvent[];
  ops: Operation[];
  /** What could not be read: a missing file, or "line N: why". */
  torn: Gap[];
  history: RecordedEvent[];
}

export function readRecordings(dir: string): Recordings {
  const wireFile = join(dir, "wire.jsonl");
  const wire = existsSync(wireFile) ? readWireLog(wireFile) : { events: [], torn: ["is missing"] };
  const ops = readOperations(join(dir, "history.jsonl"));
  const gap = (source: Source, file: string) => (what: string) => ({ source, what: `${file} ${what}` });
  return {
    dir,
    facts: readRunFacts(dir),
    wire: wire.events,
    ops: ops.ops,
    torn: [...wire.torn.map(gap("wire", "wire.jsonl")), ...ops.torn.map(gap("operations", "history.jsonl"))],
    history: existsSync(join(dir, "events")) ? loadHistory(join(dir, "events")) : [],
  };
}

/** Everything the checkers judge, derived from the recordings alone: the ledger and the faults' proofs. */
export function checkInput(r: Recordings): CheckInput {
  const { facts } = r;
  const undecodable = r.wire.flatMap((e): Gap[] =>
    e.kind === "close" && e.decodeError
      ? [{ source: "wire", what: `${e.link} connection ${e.connection} ${e.direction}: ${e.decodeError}` }]
      : [],
  );
  const workerIdOf = (link: string) => facts.links.find((l) => l.link === link)?.workerId ?? undefined;
  const faults = faultRecords(r.ops, r.wire, facts.origin, facts.scenario.heartbeatMs, facts.links);
  const ledger = buildWireLedger(r.wire, facts.queues, facts.origin, faults, workerIdOf);
  return {
    dir: r.dir,
    scenario: facts.scenario,
    plan: facts.plan,
    songs: facts.songs.map((s) => ({
      ...s,
      expect: expectation(s.label, s.musicId, s.afterReset, r.ops, faults),
    })),
    origin: facts.origin,
    queues: facts.queues,
    links: facts.links,
    wire: r.wire,
    ops: r.ops,
    gaps: [...r.torn, ...undecodable],
    brokerForgot: brokerForgot(r.ops),
    ledger: ledger.chunks,
    strayAcks: ledger.strayAcks,
    faults,
    machine: facts.machine,
    broker: facts.broker,
    history: r.history,
  };
}

/** The quorum queues the harness had to wake after a broker restart it did (see BrokerHandle.restart). */
function brokerForgot(ops: readonly Operation[]): string[] {
  return ops.flatMap((op) =>
    op.type === "ok" &&
    op.f === "heal broker-crash" &&
    typeof op.value.leaderless === "string" &&
    op.value.leaderless
      ? [`the content of quorum queue ${op.value.leaderless}: it came back from the restart without a leader`]
      : [],
  );
}

/**
 * What the harness's own operations require of a song: gone once a reset was done after its upload; done or
 * failed (never hung) once a malformed result for it landed; else done. A poison copy of one of its jobs changes
 * nothing: it is not the job the server sent, so the song must finish from the real one.
 */
function expectation(
  label: string,
  musicId: number | null,
  afterReset: SongFacts["afterReset"],
  ops: readonly Operation[],
  faults: readonly FaultRecord[],
): SongExpectation {
  const uploaded = ops.find((o) => o.f === "upload" && o.type === "ok" && o.value.song === label);
  const resets = ops.filter((o) => o.f === "reset" && o.type === "ok");
  const resetInvokes = ops.filter((o) => o.f === "reset" && o.type === "invoke");
  if (uploaded && resets.some((done) => (resetInvokes.find((i) => i.id === done.id)?.at ?? 0) >= uploaded.at))
    return "gone";
  // A reset asked for while the upload was on the way may have come after it: the client saw the song gone.
  if (uploaded && resets.length > 0 && afterReset?.status === 404) return "gone";
  const hit = (fault: string) =>
    faults.some((f) => f.fault === fault && f.proof.landed && f.music === musicId);
  return hit("bad-result") ? "done-or-failed" : "done";
}

/**
 * Runs each checker. A checker that throws could not tell (unknown), it never passes; nor does a fail found
 * in a record with a gap where the checker looks, since the missing part may hold what it found missing.
 */
export async function judge(input: CheckInput, checkers: readonly Checker[] = CHECKERS): Promise<Verdict[]> {
  const checks: Verdict[] = [];
  for (const checker of checkers) {
    let judged: Omit<Verdict, "check" | "title" | "ok">;
    try {
      judged = await checker.check(input);
    } catch (error) {
      judged = { status: "unknown", summary: `the check itself failed: ${(error as Error).message}` };
    }
    const gap = input.gaps.find((g) => checker.judgesFrom.includes(g.source));
    const forgot = checker.trustsBroker ? input.brokerForgot[0] : undefined;
    if (judged.status === "fail" && (gap || forgot))
      judged = {
        ...judged,
        status: "unknown",
        summary: `cannot tell (${gap?.what ?? `the broker itself lost ${forgot}`}): ${judged.summary}`,
      };
    checks.push({ check: checker.name, title: checker.title, ok: judged.status === "pass", ...judged });
  }
  return checks;
}

/** Judges a recorded run from its folder alone: run.json, wire.jsonl, history.jsonl, the outputs and the reference. */
export async function judgeRun(dir: string): Promise<RunRecord> {
  const recordings = readRecordings(dir);
  const input = checkInput(recordings);
  const checks = await judge(input);
  const timelineFile = join(dir, "timeline.log");
  const verdict = overall(checks);
  return {
    seed: recordings.facts.seed,
    replay: recordings.facts.replay,
    environment: recordings.facts.environment,
    timings: recordings.facts.timings,
    input,
    checks,
    verdict,
    ok: verdict === "pass",
    timeline: existsSync(timelineFile) ? readFileSync(timelineFile, "utf8").split("\n").filter(Boolean) : [],
  };
}
