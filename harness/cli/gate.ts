import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadSettings, parseFlags, SETTINGS, SettingError } from "../../src/config/settings.js";
import { createLogger } from "../../src/log/logger.js";
import { fromRoot } from "../../src/process/project-paths.js";
import { EXIT_CODES, overall, type Status } from "../checker/checker.js";
import { type BrokerHandle, EnvironmentError } from "../environment/broker-environment.js";
import type { BrokerChoice } from "../environment/pick-broker.js";
import { junitXml, type NotRun } from "../report/junit-report.js";
import { BatchCleanup } from "../run/batch-cleanup.js";
import { stamp } from "../run/run-dir.js";
import { runInDir } from "../run/run-in-dir.js";
import type { RunRecord } from "../run/run-record.js";
import { ownsBroker, startBroker } from "../run/run-scenario.js";
import { readSuite } from "../scenario/suite.js";
import { ScenarioError } from "../scenario/validate-scenario.js";

/**
 *   npm run gate [-- --suite FILE --broker auto|container|local|external --broker-url URL --broker-image IMAGE --out DIR]
 * Runs every scenario of the suite (scenarios/suites/gate.json by default) against one broker booted once
 * (each run has its own queues; a scenario that kills the broker gets its own), within GATE_BUDGET_MINUTES.
 * Prints one table and writes one junit.xml. Exit: 0 all pass, 1 a check failed, 3 unknown or not run,
 * 2 a usage or environment error.
 */
const REPORTS = fromRoot("reports");
const BROKERS: readonly BrokerChoice[] = ["auto", "container", "local", "external", "cluster"];
const cleanups = new BatchCleanup();

interface Row {
  name: string;
  seed: number;
  status: Status;
  wallS: number;
  what: string;
  dir: string;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const known = new Set(["suite", "broker", "broker-url", "broker-image", "out", "gate-budget-minutes"]);
  for (const flag of flags.keys())
    if (!known.has(flag)) throw new SettingError(`unknown option --${flag} (see harness/cli/gate.ts)`);
  const budgetMinutes = loadSettings(
    flags.has("gate-budget-minutes") ? [`--gate-budget-minutes=${flags.get("gate-budget-minutes")}`] : [],
  ).gateBudgetMinutes;
  const suiteFile = resolve(flags.get("suite") ?? fromRoot("scenarios/suites/gate.json"));
  const suite = readSuite(suiteFile);
  const broker = (flags.get("broker") ?? "auto") as BrokerChoice;
  if (!BROKERS.includes(broker))
    throw new SettingError(`bad option --broker="${broker}": expected one of ${BROKERS.join(", ")}`);
  const brokerOpts = {
    broker,
    brokerUrl: flags.get("broker-url"),
    brokerImage: flags.get("broker-image") || process.env.BROKER_IMAGE || SETTINGS.brokerImage.default,
  };
  const outDir = resolve(flags.get("out") ?? join(REPORTS, `${stamp()}-gate`));
  mkdirSync(outDir, { recursive: true });
  if (!flags.has("out")) {
    rmSync(join(REPORTS, "latest-gate"), { force: true });
    symlinkSync(relative(REPORTS, outDir), join(REPORTS, "latest-gate"));
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  const deadline = started + budgetMinutes * 60_000;
  out(
    `gate: ${suite.name}: ${suite.scenarios.length} scenarios, budget ${budgetMinutes} min → ${relative(process.cwd(), outDir)}`,
  );

  cleanups.handleSignals();

  const records: (RunRecord | NotRun)[] = [];
  const rows: Row[] = [];
  try {
    let shared: { broker: BrokerHandle; why: string } | undefined;
    if (suite.scenarios.some((s) => !ownsBroker(s.scenario))) {
      // One broker for the whole suite: each run has its own queue prefix, so runs cannot see each other's.
      shared = await startBroker(brokerOpts, createLogger(), cleanups.batch);
      out(
        `gate: broker ${shared.broker.description} (${shared.why}), shared by the scenarios that neither kill nor configure it`,
      );
    }
    for (const [i, entry] of suite.scenarios.entries()) {
      const dir = join(outDir, entry.scenario.name);
      const row = { name: entry.scenario.name, seed: entry.seed, dir: relative(process.cwd(), dir) };
      if (Date.now() > deadline) {
        const why = `not run: the suite's budget of ${budgetMinutes} min was spent before it could start`;
        records.push({ name: entry.scenario.name, why });
        rows.push({ ...row, status: "unknown", wallS: 0, what: why });
        continue;
      }
      out(`gate: [${i + 1}/${suite.scenarios.length}] ${entry.scenario.name} (seed ${entry.seed}) ...`);
      const runStarted = Date.now();
      try {
        const run = await runInDir({
          scenario: entry.scenario,
          seed: entry.seed,
          dir,
          replay: `npm run scenario ${entry.name} -- --seed ${entry.seed}${broker === "auto" ? "" : ` --broker ${broker}`}`,
          broker: brokerOpts,
          shared,
          onCleanup: cleanups.track,
        });
        records.push(run);
        const bad = run.checks.filter((c) => c.status !== "pass");
        rows.push({
          ...row,
          status: run.verdict,
          wallS: (Date.now() - runStarted) / 1000,
          what:
            bad.length === 0
              ? `${run.checks.length} checks pass`
              : bad.map((c) => `${c.check}: ${c.summary}`).join(" | "),
        });
      } catch (error) {
        const why = `could not run: ${(error as Error).message}`;
        records.push({ name: entry.scenario.name, why });
        rows.push({ ...row, status: "unknown", wallS: (Date.now() - runStarted) / 1000, what: why });
      }
      const last = rows.at(-1);
      if (last) out(`gate:        ${last.status.toUpperCase()} in ${last.wallS.toFixed(1)} s: ${last.what}`);
    }
  } finally {
    await cleanups.finish();
  }
  const verdict = overall(rows);
  const table = summaryTable(rows, verdict, (Date.now() - started) / 1000, budgetMinutes);
  writeFileSync(join(outDir, "junit.xml"), junitXml(records));
  writeFileSync(join(outDir, "summary.md"), `# Gate: ${suite.name}\n\n${suite.description}\n\n${table}`);
  out(`\n${table}`);
  out(`junit: ${relative(process.cwd(), join(outDir, "junit.xml"))}`);
  return EXIT_CODES[verdict];
}

function summaryTable(rows: readonly Row[], verdict: Status, wallS: number, budgetMinutes: number): string {
  const width = Math.max(8, ...rows.map((r) => r.name.length));
  const lines = [
    `| ${"scenario".padEnd(width)} | seed      | verdict | wall s | checks not passing`,
    `| ${"-".repeat(width)} | --------- | ------- | ------ | ------------------`,
    ...rows.map(
      (r) =>
        `| ${r.name.padEnd(width)} | ${String(r.seed).padEnd(9)} | ${r.status.toUpperCase().padEnd(7)} | ${r.wallS.toFixed(1).padStart(6)} | ${r.status === "pass" ? "" : r.what}`,
    ),
  ];
  return `${lines.join("\n")}\n\ngate: ${verdict.toUpperCase()} (${rows.length} scenarios in ${wallS.toFixed(0)} s, budget ${budgetMinutes * 60} s)\n`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(cleanups.interrupted ? 130 : code),
  (error: Error) => {
    if (cleanups.interrupted) process.exit(130);
    const usageError = error instanceof SettingError || error instanceof ScenarioError;
    const said = error instanceof EnvironmentError ? error.message : (error.stack ?? error.message);
    process.stderr.write(`${usageError ? error.message : `environment error: ${said}`}\n`);
    process.exit(2);
  },
);
