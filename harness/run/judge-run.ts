import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckInput, Verdict } from "../checker/checker.js";
import { overall } from "../checker/checker.js";
import { CHECKERS } from "../checker/index.js";
import { faultRecords } from "../history/fault-records.js";
import { loadHistory } from "../history/history.js";
import { readOperations } from "../history/operations.js";
import { buildWireLedger } from "../history/wire-ledger.js";
import { readWireLog } from "../wire/wire-log.js";
import { type RunRecord, readRunFacts } from "./run-record.js";

/** Judges a recorded run from its folder alone: run.json, wire.jsonl, history.jsonl, the outputs and the reference. */
export async function judgeRun(dir: string): Promise<RunRecord> {
  const facts = readRunFacts(dir);
  const wireFile = join(dir, "wire.jsonl");
  const wire = existsSync(wireFile) ? readWireLog(wireFile) : { events: [], torn: ["wire.jsonl is missing"] };
  const { ops, torn } = readOperations(join(dir, "history.jsonl"));
  const undecodable = wire.events.flatMap((e) =>
    e.kind === "close" && e.decodeError
      ? [`${e.link} connection ${e.connection} ${e.direction}: ${e.decodeError}`]
      : [],
  );
  const workerIdOf = (link: string) => facts.links.find((l) => l.link === link)?.workerId ?? undefined;
  const faults = faultRecords(ops, wire.events, facts.origin, facts.scenario.heartbeatMs, facts.links);
  const ledger = buildWireLedger(wire.events, facts.queues, facts.origin, faults, workerIdOf);
  const input: CheckInput = {
    dir,
    scenario: facts.scenario,
    plan: facts.plan,
    expectedChunks: facts.expectedChunks,
    origin: facts.origin,
    queues: facts.queues,
    links: facts.links,
    wire: wire.events,
    ops,
    gaps: [
      ...wire.torn.map((t) => `wire.jsonl ${t}`),
      ...torn.map((t) => `history.jsonl ${t}`),
      ...undecodable,
    ],
    ledger: ledger.chunks,
    strayAcks: ledger.strayAcks,
    faults,
    machine: facts.machine,
    broker: facts.broker,
    output: facts.output,
    song: facts.song,
    history: loadHistory(join(dir, "events")),
  };
  const checks: Verdict[] = [];
  for (const checker of CHECKERS) {
    let judged: Omit<Verdict, "check" | "title" | "ok">;
    try {
      judged = await checker.check(input);
    } catch (error) {
      judged = { status: "unknown", summary: `the check itself failed: ${(error as Error).message}` };
    }
    checks.push({ check: checker.name, title: checker.title, ok: judged.status === "pass", ...judged });
  }
  const timelineFile = join(dir, "timeline.log");
  const verdict = overall(checks);
  return {
    seed: facts.seed,
    replay: facts.replay,
    environment: facts.environment,
    timings: facts.timings,
    input,
    checks,
    verdict,
    ok: verdict === "pass",
    timeline: existsSync(timelineFile) ? readFileSync(timelineFile, "utf8").split("\n").filter(Boolean) : [],
  };
}
