import { randomInt } from "node:crypto";
import { rmSync, symlinkSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseFlags, SETTINGS, SettingError } from "../../src/config/settings.js";
import { fromRoot } from "../../src/process/project-paths.js";
import { runChaos } from "../chaos/chaos-run.js";
import { EXIT_CODES, STATUS_WORDS } from "../checker/checker.js";
import { EnvironmentError } from "../environment/broker-environment.js";
import type { BrokerChoice } from "../environment/pick-broker.js";
import { writeReports } from "../report/write-report.js";
import { BatchCleanup } from "../run/batch-cleanup.js";
import { Cleanup } from "../run/cleanup.js";
import { prepareRunDir, stamp } from "../run/run-dir.js";
import { runScenario } from "../run/run-scenario.js";
import { listScenarios, resolveScenario } from "../scenario/resolve-scenario.js";
import { SERVER_KINDS, type ServerKind, WORKER_KINDS, type WorkerKind } from "../scenario/scenario.js";
import { ScenarioError } from "../scenario/validate-scenario.js";

/**
 *   npm run scenario <name> [-- --seed N --time-scale X --broker auto|container|local|external --broker-url URL --broker-image IMAGE --toxiproxy-url URL --out DIR]
 *   npm run scenario -- --list
 * Exit codes: 0 every check passed, 1 a check failed, 3 unknown (a fault did not land, the record has a gap, the
 * broker could not be read), 2 a usage or environment error.
 */
const REPORTS = fromRoot("reports");
const BROKERS: readonly BrokerChoice[] = ["auto", "container", "local", "external", "cluster"];
/** Set by Ctrl-C: whatever the run was doing then fails, and the exit code is 130, not that failure's. */
let interrupted = false;

function usage(message: string): never {
  throw new SettingError(
    `${message}\nusage: npm run scenario <name> [-- --seed N --time-scale X --broker ${BROKERS.join("|")} --broker-url URL --broker-image IMAGE --toxiproxy-url URL --worker-kind KIND --server-kind KIND --out DIR]\n       npm run scenario -- --list`,
  );
}

/** Splits argv into scenario names and --flag values (`--list` takes no value). */
function splitArgs(argv: string[]): { names: string[]; flagArgs: string[]; list: boolean } {
  const names: string[] = [];
  const flagArgs: string[] = [];
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--list") list = true;
    else if (arg.startsWith("--"))
      flagArgs.push(arg, ...(arg.includes("=") || i + 1 >= argv.length ? [] : [argv[++i]]));
    else names.push(arg);
  }
  return { names, flagArgs, list };
}

async function main(argv: string[]): Promise<number> {
  const { names, flagArgs, list } = splitArgs(argv);
  const flags = parseFlags(flagArgs);
  if (list) {
    const all = listScenarios();
    const width = Math.max(...all.map((s) => s.name.length));
    for (const s of all) process.stdout.write(`${s.name.padEnd(width)}  ${s.description}\n`);
    return 0;
  }
  const known = new Set([
    "seed",
    "time-scale",
    "broker",
    "broker-url",
    "broker-image",
    "toxiproxy-url",
    "worker-kind",
    "server-kind",
    "wire-tap",
    "out",
    "time-limit",
    "shrink-limit",
  ]);
  for (const flag of flags.keys()) if (!known.has(flag)) usage(`unknown option --${flag}`);
  if (names.length !== 1)
    usage(names.length === 0 ? "name a scenario" : `one scenario at a time, not ${names.join(", ")}`);
  const chaos = names[0] === "chaos";
  for (const only of ["time-limit", "shrink-limit"])
    if (flags.has(only) && !chaos)
      usage(`--${only} is for chaos only: npm run scenario chaos -- --${only} 10m`);
  const seedRaw = flags.get("seed");
  if (seedRaw !== undefined && !/^\d{1,9}$/.test(seedRaw))
    usage(`bad option --seed="${seedRaw}": expected a whole number up to 999999999`);
  const seed = seedRaw === undefined ? randomInt(1, 1_000_000) : Number(seedRaw);
  const kind = flags.get("worker-kind");
  if (kind !== undefined && !(WORKER_KINDS as readonly string[]).includes(kind))
    usage(`bad option --worker-kind="${kind}": expected one of ${WORKER_KINDS.join(", ")}`);
  const serverKind = flags.get("server-kind");
  if (serverKind !== undefined && !(SERVER_KINDS as readonly string[]).includes(serverKind))
    usage(`bad option --server-kind="${serverKind}": expected one of ${SERVER_KINDS.join(", ")}`);
  const wireTap = flags.get("wire-tap") ?? "on";
  if (wireTap !== "on" && wireTap !== "off") usage(`bad option --wire-tap="${wireTap}": expected on or off`);
  const broker = (flags.get("broker") ?? "auto") as BrokerChoice;
  if (!BROKERS.includes(broker))
    usage(`bad option --broker="${broker}": expected one of ${BROKERS.join(", ")}`);
  const brokerOpts = {
    broker,
    brokerUrl: flags.get("broker-url"),
    brokerImage: flags.get("broker-image") || process.env.BROKER_IMAGE || SETTINGS.brokerImage.default,
  };
  if (chaos) {
    const kinds = {
      workerKind: (kind ?? "standard") as WorkerKind,
      serverKind: (serverKind ?? "standard") as ServerKind,
    };
    return chaosMain(flags, seed, kinds, brokerOpts);
  }

  const scenario = resolveScenario(names[0]);
  const scaleRaw = flags.get("time-scale");
  if (scaleRaw !== undefined) {
    const scale = Number(scaleRaw);
    if (!(scale > 0 && scale <= 10))
      usage(`bad option --time-scale="${scaleRaw}": expected a number above 0 and at most 10`);
    scenario.timeScale = scale;
  }
  if (kind !== undefined) scenario.workers.kind = kind as WorkerKind;
  if (serverKind !== undefined) scenario.server.kind = serverKind as ServerKind;

  const outDir = resolve(flags.get("out") ?? join(REPORTS, `${stamp()}-${scenario.name}`));
  prepareRunDir(outDir);
  if (!flags.has("out")) {
    rmSync(join(REPORTS, "latest"), { force: true });
    symlinkSync(relative(REPORTS, outDir), join(REPORTS, "latest"));
  }
  const replay = [
    `npm run scenario ${names[0]} -- --seed ${seed}`,
    scaleRaw ? `--time-scale ${scaleRaw}` : "",
    broker !== "auto" ? `--broker ${broker}` : "",
    flags.get("broker-url") ? `--broker-url ${flags.get("broker-url")}` : "",
    flags.get("broker-image") ? `--broker-image ${flags.get("broker-image")}` : "",
    flags.get("toxiproxy-url") ? `--toxiproxy-url ${flags.get("toxiproxy-url")}` : "",
    kind ? `--worker-kind ${kind}` : "",
    serverKind ? `--server-kind ${serverKind}` : "",
    wireTap === "off" ? "--wire-tap off" : "",
  ]
    .filter(Boolean)
    .join(" ");

  const cleanups = new BatchCleanup();
  cleanups.handleSignals();
  const cleanup = new Cleanup();
  cleanups.track(cleanup);

  try {
    const run = await runScenario({
      scenario,
      seed,
      ...brokerOpts,
      toxiproxyUrl: flags.get("toxiproxy-url"),
      wireTap: wireTap === "on",
      outDir,
      replay,
      write: (text) => process.stdout.write(text),
      tty: Boolean(process.stdout.isTTY) && process.env.CI !== "true",
      cleanup,
    });
    writeReports(outDir, run);
    const out = process.stdout;
    out.write(`\n${scenario.name} (seed ${seed}): ${run.verdict.toUpperCase()}\n`);
    for (const c of run.checks) out.write(`  ${STATUS_WORDS[c.status]} ${c.check}: ${c.summary}\n`);
    out.write(
      `  report: ${relative(process.cwd(), join(outDir, "report.md"))} (wall time ${(run.timings.wallMs / 1000).toFixed(1)} s)\n`,
    );
    if (!run.ok) out.write(`  replay: ${replay}\n`);
    return EXIT_CODES[run.verdict];
  } finally {
    const failures = await cleanup.run();
    for (const f of failures) process.stderr.write(`cleanup: ${f}\n`);
    if (cleanups.interrupted) interrupted = true;
  }
}

/** Minutes, seconds or hours: "10m", "90s", "1h". */
function duration(flag: string, raw: string | undefined, fallback: string): number {
  const value = raw ?? fallback;
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(value);
  if (!match || Number(match[1]) <= 0)
    usage(`bad option --${flag}="${value}": expected a duration such as 90s, 10m or 1h`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}

/**
 *   npm run scenario chaos -- [--seed N --time-limit 10m --shrink-limit 15m --worker-kind K --server-kind K --broker B]
 * Seeded random rounds until the time limit; the first failure is shrunk to minimal.json.
 */
async function chaosMain(
  flags: Map<string, string>,
  seed: number,
  kinds: { workerKind: WorkerKind; serverKind: ServerKind },
  brokerOpts: { broker: BrokerChoice; brokerUrl?: string; brokerImage: string },
): Promise<number> {
  const timeLimitMs = duration("time-limit", flags.get("time-limit"), "10m");
  const shrinkLimitMs = duration("shrink-limit", flags.get("shrink-limit"), "15m");
  const outDir = resolve(flags.get("out") ?? join(REPORTS, `${stamp()}-chaos`));
  const replayFlags = [
    brokerOpts.broker !== "auto" ? ` --broker ${brokerOpts.broker}` : "",
    brokerOpts.brokerUrl ? ` --broker-url ${brokerOpts.brokerUrl}` : "",
  ].join("");
  const cleanups = new BatchCleanup();
  cleanups.handleSignals();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `chaos: seed ${seed}, time limit ${timeLimitMs / 1000} s, workers ${kinds.workerKind}, server ${kinds.serverKind} → ${relative(process.cwd(), outDir)}`,
  );
  try {
    const verdict = await runChaos({
      ...kinds,
      seed,
      timeLimitMs,
      shrinkLimitMs,
      outDir,
      broker: brokerOpts,
      brokerCrash: brokerOpts.broker !== "external",
      replayFlags,
      out,
      track: cleanups.track,
      suiteCleanup: cleanups.batch,
    });
    return EXIT_CODES[verdict];
  } finally {
    await cleanups.finish();
    if (cleanups.interrupted) interrupted = true;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(interrupted ? 130 : code),
  (error: Error) => {
    if (interrupted) process.exit(130);
    const usageError = error instanceof SettingError || error instanceof ScenarioError;
    const said = error instanceof EnvironmentError ? error.message : (error.stack ?? error.message);
    process.stderr.write(`${usageError ? error.message : `environment error: ${said}`}\n`);
    process.exit(2);
  },
);
