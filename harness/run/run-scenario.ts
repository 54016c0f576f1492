import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareWavs } from "../../src/audio/compare-wav.js";
import { makeSong } from "../../src/audio/demo-song.js";
import { createEventLog, monotonicMs } from "../../src/events/event-log.js";
import { spawnEntry } from "../../src/process/spawn-entry.js";
import type { CheckInput } from "../checker/checker.js";
import type { BrokerHandle } from "../environment/broker-environment.js";
import { ClusterProcesses } from "../environment/cluster-processes.js";
import { LinkProxies } from "../environment/link-proxies.js";
import { settledQueueStats } from "../environment/management-api.js";
import { type BrokerChoice, pickBroker } from "../environment/pick-broker.js";
import { startToxiproxy } from "../environment/toxiproxy-provider.js";
import type { Scenario } from "../scenario/scenario.js";
import { type Plan, planRun } from "../schedule/plan.js";
import type { Cleanup } from "./cleanup.js";
import { type FaultEvents, FaultSchedule } from "./fault-schedule.js";
import { judgeRun } from "./judge-run.js";
import { LiveProgress } from "./live-progress.js";
import { type RunFacts, type RunRecord, writeRunFacts } from "./run-record.js";
import { Timeline } from "./timeline.js";

export interface RunOptions {
  scenario: Scenario;
  seed: number;
  broker: BrokerChoice;
  brokerUrl?: string;
  /** BROKER_IMAGE or --broker-image. */
  brokerImage: string;
  /** A real Toxiproxy's API; otherwise toxiproxy-server from PATH, else the embedded one. */
  toxiproxyUrl?: string;
  outDir: string;
  /** The command that replays this run, printed when it fails. */
  replay: string;
  /** Where lines and live progress go; `tty` redraws the status line in place. */
  write: (text: string) => void;
  tty: boolean;
  cleanup: Cleanup;
}

interface SongOutcome {
  musicId: number;
  status: string;
  done: boolean;
  elapsedMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Chunks the song must become, from the scenario alone (not from the product's own split code). */
export function expectedChunks(scenario: Scenario): number {
  const workers = scenario.workers.healthy + scenario.workers.unhealthy;
  const bySeconds = Math.ceil(
    scenario.song.seconds / (scenario.song.split === "per-worker" ? 60 : Math.min(60, scenario.song.split)),
  );
  return scenario.song.split === "per-worker" ? Math.max(workers, bySeconds) : bySeconds;
}

/**
 * One run, Jepsen-style: set up the environment, start the cluster, feed it the song while the nemesis acts
 * on the schedule, record everything, tear it all down, then let the checkers judge the history.
 */
export async function runScenario(opts: RunOptions): Promise<RunRecord> {
  const { scenario, seed, cleanup } = opts;
  const startedWall = Date.now();
  const origin = monotonicMs();
  const eventsDir = join(opts.outDir, "events");
  const tracesDir = join(opts.outDir, "traces");
  mkdirSync(eventsDir, { recursive: true });
  mkdirSync(tracesDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "encore-run-"));
  cleanup.add("temp dir", () => rmSync(work, { recursive: true, force: true }));
  const workers = scenario.workers.healthy + scenario.workers.unhealthy;
  const progress = new LiveProgress(eventsDir, workers, opts.write, opts.tty);
  cleanup.add("live progress", () => progress.stop());
  const timeline = new Timeline(join(opts.outDir, "timeline.log"), (line) => progress.line(line));
  const log = timeline.logger();
  const harnessEvents: FaultEvents = createEventLog(join(eventsDir, "harness.jsonl"), "harness");
  const plan = planRun(scenario, seed);
  const runId = `${startedWall.toString(36)}-${process.pid}`;

  log.info(`Harness: scenario ${scenario.name} (seed ${seed}): ${scenario.description}`);
  const { provider, why } = await pickBroker(
    opts.broker,
    { url: opts.brokerUrl, image: opts.brokerImage },
    log,
  );
  log.info(`Harness: broker environment: ${provider.kind} (${why})`);
  const broker: BrokerHandle = await provider.start(log);
  cleanup.add("broker", () => broker.stop());
  if (plan.faults.some((f) => f.targets.includes(-1)) && !broker.crash) {
    throw new Error(
      `scenario ${scenario.name} crashes the broker, which the ${broker.kind} environment cannot do: use --broker local`,
    );
  }
  const brokerReadyMs = monotonicMs() - origin;
  log.info(`Harness: ${broker.description}`);
  const toxiproxy = await startToxiproxy(opts.toxiproxyUrl, seed, log);
  cleanup.add("toxiproxy", () => toxiproxy.stop());
  const proxies = new LinkProxies(toxiproxy.url);
  const links = ["server", ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
  await proxies.create(links, `${broker.host}:${broker.stompPort}`);
  cleanup.add("link proxies", async () => {
    await proxies.heal();
    await proxies.remove();
  });

  const song = makeSong(join(work, "song.mp3"), scenario.song.seconds, {
    title: `${scenario.name} seed ${seed}`,
    artist: "Encore Harness",
    tones: plan.song,
  });
  const cluster = await ClusterProcesses.create(
    broker,
    scenario,
    runId,
    { data: join(work, "data"), events: eventsDir, traces: tracesDir },
    (line) => timeline.add(line),
    (link) => proxies.port(link),
  );
  cleanup.add("cluster processes", () => cluster.stop());
  await cluster.startServer();
  await cluster.startWorkers(scenario, plan);
  const clusterReadyMs = monotonicMs() - origin;
  progress.start();

  const faults = new FaultSchedule(
    plan,
    (index) => cluster.target(index, broker),
    { proxies, broker },
    timeline,
    harnessEvents,
  );
  cleanup.add("faults", () => faults.stop());
  const outcome = await playSong(cluster, song, plan, timeline, faults, (p) => progress.song(p));
  // Zombies act when healed: let every heal happen and every late result reach the server before judging.
  await sleep(Math.max(0, outcome.sentAt + faults.lastHealMs - monotonicMs()) + 1000);
  await faults.settled();
  const prefix = cluster.settings.queuePrefix;
  let brokerStats: CheckInput["broker"];
  try {
    const results = await settledQueueStats(broker, `${prefix}.results`);
    const jobs = await settledQueueStats(broker, `${prefix}.jobs`);
    brokerStats = { jobs, results };
  } catch (error) {
    brokerStats = { error: (error as Error).message };
  }

  const output = await compareWithReference(cluster.url, outcome.song, song, opts.outDir);
  log.info(
    `Harness: output ${output.error ?? `matches the single-process reference within ${output.maxDifference} LSB`}`,
  );
  await cleanup.run();

  const facts: RunFacts = {
    scenario,
    plan,
    seed,
    replay: opts.replay,
    expectedChunks: expectedChunks(scenario),
    origin,
    environment: {
      broker: { kind: broker.kind, image: broker.image ?? null, description: broker.description, why },
      toxiproxy: { kind: toxiproxy.kind, description: toxiproxy.description },
    },
    broker: brokerStats,
    output,
    song: {
      status: outcome.song.status,
      done: outcome.song.done,
      elapsedMs: outcome.song.elapsedMs,
      budgetMs: plan.budgetMs,
    },
    timings: {
      startedAt: new Date(startedWall).toISOString(),
      brokerReadyMs: Math.round(brokerReadyMs),
      clusterReadyMs: Math.round(clusterReadyMs),
      songMs: outcome.song.elapsedMs ?? null,
      referenceMs: output.referenceMs ?? null,
      wallMs: Date.now() - startedWall,
    },
  };
  writeRunFacts(opts.outDir, facts);
  return judgeRun(opts.outDir);
}

/** Uploads the song, asks for the karaoke mix, runs the fault schedule, and waits for the song or the budget. */
async function playSong(
  cluster: ClusterProcesses,
  songFile: string,
  plan: Plan,
  timeline: Timeline,
  faults: FaultSchedule,
  onProgress: (percent: number) => void,
): Promise<{ song: SongOutcome; sentAt: number }> {
  const upload = await fetch(`${cluster.url}/music`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: readFileSync(songFile),
  });
  if (!upload.ok) throw new Error(`upload failed: ${upload.status} ${await upload.text()}`);
  const music = (await upload.json()) as { music_id: number; tracks: { track_id: number; name: string }[] };
  const karaoke = music.tracks.filter((t) => t.name !== "vocals").map((t) => t.track_id);
  const sentAt = monotonicMs();
  const chosen = await fetch(`${cluster.url}/music/${music.music_id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(karaoke),
  });
  if (!chosen.ok) throw new Error(`choosing tracks failed: ${chosen.status} ${await chosen.text()}`);

  faults.start(sentAt);
  const song: SongOutcome = { musicId: music.music_id, status: "separating", done: false };
  while (monotonicMs() - sentAt < plan.budgetMs) {
    let state: { status: string; progress: number };
    try {
      state = (await (await fetch(`${cluster.url}/music/${music.music_id}`)).json()) as typeof state;
    } catch {
      await sleep(100);
      continue;
    }
    song.status = state.status;
    onProgress(state.progress);
    if (state.progress === 100) {
      song.done = true;
      song.elapsedMs = Math.round(monotonicMs() - sentAt);
      break;
    }
    if (state.status === "failed") break;
    await sleep(100);
  }
  if (!song.done)
    timeline.write(
      "ERROR",
      `Harness: Music[${music.music_id}] not done within the budget (status ${song.status})`,
    );
  return { song, sentAt };
}

async function compareWithReference(
  url: string,
  song: SongOutcome,
  songFile: string,
  outDir: string,
): Promise<CheckInput["output"] & { referenceMs?: number }> {
  if (!song.done) return { error: "no output: the song did not finish" };
  try {
    const state = (await (await fetch(`${url}/music/${song.musicId}`)).json()) as { final: string };
    const final = Buffer.from(await (await fetch(`${url}${state.final}`)).arrayBuffer());
    const refDir = join(outDir, "reference");
    const started = monotonicMs();
    const ref = await spawnEntry(
      "separate",
      ["--input", songFile, "--out", refDir, "--tracks", "drums,bass,other"],
      process.env as Record<string, string>,
    );
    if (ref.exitCode !== 0) return { error: `the reference run failed (exit ${ref.exitCode})` };
    const referenceMs = Math.round(monotonicMs() - started);
    const reference = readFileSync(join(refDir, "final.wav"));
    const compared = compareWavs(final, reference);
    if (compared.maxDifference === undefined) {
      return {
        ...compared,
        referenceMs,
        error: `length differs: ${compared.samples} vs ${compared.referenceSamples} samples`,
      };
    }
    return { ...compared, referenceMs };
  } catch (error) {
    return { error: `output comparison failed: ${(error as Error).message}` };
  }
}
