import { createWriteStream } from "node:fs";
import { join } from "node:path";
import type { BrokerHandle } from "../environment/broker-environment.js";
import { writeReports } from "../report/write-report.js";
import type { Scenario } from "../scenario/scenario.js";
import { Cleanup } from "./cleanup.js";
import { prepareRunDir } from "./run-dir.js";
import type { RunRecord } from "./run-record.js";
import { ownsBroker, type RunOptions, runScenario } from "./run-scenario.js";

export interface BatchRun {
  scenario: Scenario;
  seed: number;
  dir: string;
  replay: string;
  broker: Pick<RunOptions, "broker" | "brokerUrl" | "brokerImage">;
  /** Used unless the scenario kills the broker (then it gets its own). */
  shared?: { broker: BrokerHandle; why: string };
  /** Set while the run is on, so Ctrl-C can undo what it started. */
  onCleanup?: (cleanup: Cleanup | undefined) => void;
}

/**
 * One run of a batch (npm run gate, chaos): quiet (its lines go to console.log in its folder), judged and
 * reported there, and cleaned up whatever happens.
 */
export async function runInDir(run: BatchRun): Promise<RunRecord> {
  prepareRunDir(run.dir);
  const log = createWriteStream(join(run.dir, "console.log"));
  const cleanup = new Cleanup();
  run.onCleanup?.(cleanup);
  try {
    const record = await runScenario({
      scenario: run.scenario,
      seed: run.seed,
      ...run.broker,
      sharedBroker: ownsBroker(run.scenario) ? undefined : run.shared,
      wireTap: true,
      outDir: run.dir,
      replay: run.replay,
      write: (text) => log.write(text),
      tty: false,
      cleanup,
    });
    writeReports(run.dir, record);
    return record;
  } finally {
    for (const f of await cleanup.run()) log.write(`cleanup: ${f}\n`);
    run.onCleanup?.(undefined);
    await new Promise<void>((r) => log.end(() => r()));
  }
}
