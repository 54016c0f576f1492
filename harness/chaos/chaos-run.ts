import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createLogger } from "../../src/log/logger.js";
import type { Status } from "../checker/checker.js";
import type { BrokerHandle } from "../environment/broker-environment.js";
import { NEMESES } from "../nemesis/index.js";
import type { Cleanup } from "../run/cleanup.js";
import { runInDir } from "../run/run-in-dir.js";
import type { RunRecord } from "../run/run-record.js";
import { type RunOptions, startBroker } from "../run/run-scenario.js";
import type { FaultSpec, Scenario, WorkloadOp } from "../scenario/scenario.js";
import { ScenarioError, validateScenario } from "../scenario/validate-scenario.js";
import { type ChaosOptions, chaosScenario } from "./generate.js";
import { shrink } from "./shrink.js";

export interface ChaosRunOptions extends ChaosOptions {
  seed: number;
  timeLimitMs: number;
  shrinkLimitMs: number;
  outDir: string;
  broker: Pick<RunOptions, "broker" | "brokerUrl" | "brokerImage">;
  /** The replay flags that are not the scenario's own (--broker …). */
  replayFlags: string;
  out: (line: string) => void;
  /** Registers the cleanup of whatever is running, for Ctrl-C. */
  track: (cleanup: Cleanup | undefined) => void;
  suiteCleanup: Cleanup;
}

/** One step of a schedule that shrinking may drop: a fault, or a workload operation after the first upload. */
type Step = { fault: FaultSpec } | { op: WorkloadOp };

interface Totals {
  rounds: number;
  songs: number;
  faults: number;
  landed: number;
  verdicts: Record<Status, number>;
}

/**
 * Seeded chaos, round after round until the time limit: round k plays the scenario drawn from seed + k. The
 * first failing verdict stops it and is shrunk (delta debugging over its faults and workload, each candidate
 * rerun with the same seed) to the smallest schedule that still fails the same checks, written as
 * minimal.json in the chaos folder: `npm run scenario <that file> -- --seed N` replays it.
 */
export async function runChaos(opts: ChaosRunOptions): Promise<Status> {
  const started = Date.now();
  const totals: Totals = {
    rounds: 0,
    songs: 0,
    faults: 0,
    landed: 0,
    verdicts: { pass: 0, fail: 0, unknown: 0 },
  };
  mkdirSync(opts.outDir, { recursive: true });
  const shared = await startBroker(opts.broker, createLogger(), opts.suiteCleanup);
  const rows: string[] = [];
  let failed: { record: RunRecord; scenario: Scenario; seed: number; dir: string } | undefined;
  // At least one round, whatever the limit; another only while time is left.
  for (let round = 1; (round === 1 || Date.now() - started < opts.timeLimitMs) && !failed; round++) {
    const seed = opts.seed + round - 1;
    const scenario = validScenario(chaosScenario(seed, opts), `chaos seed ${seed}`);
    const dir = join(opts.outDir, `round-${round}`);
    const record = await runRound(opts, shared, scenario, seed, dir);
    totals.rounds++;
    totals.songs += record.input.songs.length;
    totals.faults += record.input.faults.length;
    totals.landed += record.input.faults.filter((f) => f.proof.landed).length;
    totals.verdicts[record.verdict]++;
    const bad = record.checks.filter((c) => c.status !== "pass").map((c) => `${c.check}: ${c.summary}`);
    const line = `round ${round} (seed ${seed}): ${record.verdict.toUpperCase()} — ${scenario.description}${bad.length ? ` — ${bad.join(" | ")}` : ""}`;
    rows.push(line);
    opts.out(`chaos: ${line} [${Math.round((Date.now() - started) / 1000)} s]`);
    if (record.verdict === "fail") failed = { record, scenario, seed, dir };
  }
  const summary = `chaos: ${totals.rounds} rounds in ${Math.round((Date.now() - started) / 1000)} s, ${totals.songs} songs, ${totals.faults} faults (${totals.landed} landed); ${totals.verdicts.fail} failed, ${totals.verdicts.unknown} could not tell, ${totals.verdicts.pass} passed`;
  opts.out(summary);
  let minimal = "";
  if (failed) minimal = await shrinkFailure(opts, shared, failed);
  writeFileSync(
    join(opts.outDir, "chaos.md"),
    `# Chaos from seed ${opts.seed}\n\n${summary}\n\n${rows.map((r) => `- ${r}`).join("\n")}\n${minimal}`,
  );
  writeFileSync(
    join(opts.outDir, "chaos.json"),
    `${JSON.stringify({ seed: opts.seed, ...totals }, null, 2)}\n`,
  );
  return failed ? "fail" : totals.verdicts.unknown > 0 ? "unknown" : "pass";
}

async function runRound(
  opts: ChaosRunOptions,
  shared: { broker: BrokerHandle; why: string },
  scenario: Scenario,
  seed: number,
  dir: string,
): Promise<RunRecord> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "scenario.json"), `${JSON.stringify(scenario, null, 2)}\n`);
  return runInDir({
    scenario,
    seed,
    dir,
    replay: `npm run scenario ${join(dir, "scenario.json")} -- --seed ${seed}${opts.replayFlags}`,
    broker: opts.broker,
    shared,
    onCleanup: opts.track,
  });
}

function validScenario(raw: unknown, source: string): Scenario {
  return validateScenario(raw, source, NEMESES);
}

/** Delta-debugs the failing round's faults and workload; writes minimal.json; returns a report section. */
async function shrinkFailure(
  opts: ChaosRunOptions,
  shared: { broker: BrokerHandle; why: string },
  failed: { record: RunRecord; scenario: Scenario; seed: number; dir: string },
): Promise<string> {
  const { scenario, seed } = failed;
  const failing = new Set(failed.record.checks.filter((c) => c.status === "fail").map((c) => c.check));
  const [first, ...ops] = scenario.workload;
  const steps: Step[] = [...scenario.faults.map((fault) => ({ fault })), ...ops.map((op) => ({ op }))];
  const build = (kept: readonly Step[]): Scenario => ({
    ...scenario,
    name: `${scenario.name}-minimal`,
    faults: kept.flatMap((s) => ("fault" in s ? [s.fault] : [])),
    workload: [first, ...kept.flatMap((s) => ("op" in s ? [s.op] : []))],
  });
  const started = Date.now();
  let tries = 0;
  opts.out(
    `chaos: shrinking ${steps.length} steps of the failing schedule (${[...failing].join(", ")} failed) ...`,
  );
  const result = await shrink(
    steps,
    async (kept) => {
      let candidate: Scenario;
      try {
        candidate = validScenario(build(kept), "a shrunk schedule");
      } catch (error) {
        if (error instanceof ScenarioError) return false;
        throw error;
      }
      tries++;
      const record = await runRound(opts, shared, candidate, seed, join(opts.outDir, `shrink-${tries}`));
      const still = record.checks.some((c) => c.status === "fail" && failing.has(c.check));
      opts.out(`chaos:   try ${tries}: ${kept.length} steps → ${still ? "still fails" : record.verdict}`);
      return still;
    },
    () => Date.now() - started > opts.shrinkLimitMs,
  );
  const minimal = build(result.items);
  minimal.description = `Shrunk from chaos seed ${seed} (${steps.length} steps → ${result.items.length}${result.complete ? "" : ", shrinking stopped by its time limit"}): ${[...failing].join(", ")} failed`;
  const file = join(opts.outDir, "minimal.json");
  writeFileSync(file, `${JSON.stringify(minimal, null, 2)}\n`);
  const replay = `npm run scenario ${relative(process.cwd(), file)} -- --seed ${seed}${opts.replayFlags}`;
  opts.out(
    `chaos: minimal schedule (${minimal.faults.length} faults, ${minimal.workload.length} workload operations): ${relative(process.cwd(), file)}`,
  );
  opts.out(`chaos: replay: ${replay}`);
  return `\n## Shrunk\n\n${minimal.description}\n\nReplay: \`${replay}\`\n\n\`\`\`json\n${JSON.stringify(minimal, null, 2)}\n\`\`\`\n`;
}
