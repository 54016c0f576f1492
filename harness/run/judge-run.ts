import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckInput, Verdict } from "../checker/checker.js";
import { CHECKERS } from "../checker/index.js";
import { loadHistory } from "../history/history.js";
import { buildLedger, faultRecords } from "../history/ledger.js";
import { type RunRecord, readRunFacts } from "./run-record.js";

/** Judges a recorded run from its folder alone: run.json, events/*.jsonl and timeline.log. */
export function judgeRun(dir: string): RunRecord {
  const facts = readRunFacts(dir);
  const history = loadHistory(join(dir, "events"));
  const input: CheckInput = {
    scenario: facts.scenario,
    plan: facts.plan,
    expectedChunks: facts.expectedChunks,
    history,
    origin: facts.origin,
    ledger: buildLedger(history, facts.origin),
    faults: faultRecords(history, facts.origin),
    broker: facts.broker,
    output: facts.output,
    song: facts.song,
  };
  const checks: Verdict[] = CHECKERS.map((checker) => {
    try {
      return checker.check(input);
    } catch (error) {
      return {
        check: checker.name,
        title: checker.title,
        ok: false,
        summary: `the check itself failed: ${(error as Error).message}`,
      };
    }
  });
  const timelineFile = join(dir, "timeline.log");
  return {
    seed: facts.seed,
    replay: facts.replay,
    environment: facts.environment,
    timings: facts.timings,
    input,
    checks,
    ok: checks.every((c) => c.ok),
    timeline: existsSync(timelineFile) ? readFileSync(timelineFile, "utf8").split("\n").filter(Boolean) : [],
  };
}
