import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { makeSong } from "../../src/audio/demo-song.js";
import { monotonicMs } from "../../src/events/event-log.js";
import { spawnEntry } from "../../src/process/spawn-entry.js";
import type { CheckInput } from "../checker/checker.js";
import { type BrokerHandle, EnvironmentError } from "../environment/broker-environment.js";
import { ClusterProcesses } from "../environment/cluster-processes.js";
import { LinkProxies } from "../environment/link-proxies.js";
import { settledQueueStats } from "../environment/management-api.js";
import { type BrokerChoice, pickBroker } from "../environment/pick-broker.js";
import { startToxiproxy } from "../environment/toxiproxy-provider.js";
import { OperationLog, type OpValue } from "../history/operations.js";
import type { Scenario } from "../scenario/scenario.js";
import { type Plan, planRun } from "../schedule/plan.js";
import { WireLog } from "../wire/wire-log.js";
import type { Cleanup } from "./cleanup.js";
import { FaultSchedule } from "./fault-schedule.js";
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
  /** Off only to measure what the taps cost: with nothing recorded, the verdict is unknown. */
  wireTap: boolean;
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
  let faults: FaultSchedule | undefined;
  const progress = new LiveProgress(
    eventsDir,
    workers,
    () => faults?.activeNow() ?? [],
    opts.write,
    opts.tty,
  );
  cleanup.add("live progress", () => progress.stop());
  const timeline = new Timeline(join(opts.outDir, "timeline.log"), (line) => progress.line(line));
  const log = timeline.logger();
  const ops = new OperationLog(join(opts.outDir, "history.jsonl"));
  // How late this process's timers run: the data path (taps, embedded Toxiproxy) runs here, so detection
  // bounds widen by what the machine is doing.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
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
    throw new EnvironmentError(
      `scenario ${scenario.name} crashes the broker, which the ${broker.kind} environment cannot do: use --broker local`,
    );
  }
  if (plan.faults.some((f) => f.targets.includes(-1)) && !opts.wireTap)
    throw new EnvironmentError(
      "a broker restart moves the broker's port, which only the wire taps follow: keep --wire-tap on",
    );
  const brokerReadyMs = monotonicMs() - origin;
  log.info(`Harness: ${broker.description}`);
  const toxiproxy = await startToxiproxy(opts.toxiproxyUrl, seed, log);
  cleanup.add("toxiproxy", () => toxiproxy.stop());
  const proxies = new LinkProxies(toxiproxy.url);
  const links = ["server", ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
  const wire = opts.wireTap ? new WireLog(join(opts.outDir, "wire.jsonl")) : undefined;
  const upstreams = new Map<string, string>();
  for (const link of links) {
    const tap = await wire?.tap(link, { host: broker.host, port: broker.stompPort });
    upstreams.set(link, tap ? `127.0.0.1:${tap.port}` : `${broker.host}:${broker.stompPort}`);
  }
  if (wire) cleanup.add("wire taps", () => wire.close());
  else
    log.warn("Harness: wire taps off (--wire-tap off): nothing to judge from, the verdict will be unknown");
  await proxies.create(links, (link) => upstreams.get(link) ?? "");
  cleanup.add("link proxies", async () => {
    await proxies.heal();
    await proxies.remove();
  });

  // Kept in the run's folder: the reference is computed from it, and `npm run report` can redo that.
  const song = makeSong(join(opts.outDir, "song.mp3"), scenario.song.seconds, {
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

  faults = new FaultSchedule(
    plan,
    (index) => cluster.target(index, broker),
    { proxies, broker, retargetBroker: (upstream) => wire?.retarget(upstream) },
    timeline,
    ops,
  );
  cleanup.add("faults", () => faults.stop());
  const outcome = await playSong(cluster, song, plan, timeline, faults, ops, (p) => progress.song(p));
  // Zombies act when healed: let every heal happen and every late result reach the server before judging.
  await sleep(Math.max(0, outcome.sentAt + faults.lastHealMs - monotonicMs()) + 1000);
  await faults.settled();
  const output = await downloadOutputs(cluster.url, outcome.song, join(opts.outDir, "output"), ops);
  // The broker's last word comes when nobody can change it any more: every process stopped, the queues idle.
  await faults.stop();
  await cluster.stop();
  const prefix = cluster.settings.queuePrefix;
  let brokerStats: CheckInput["broker"];
  try {
    const results = await settledQueueStats(broker, `${prefix}.results`);
    const jobs = await settledQueueStats(broker, `${prefix}.jobs`);
    brokerStats = { jobs, results };
  } catch (error) {
    brokerStats = { error: (error as Error).message };
  }
  const linkFacts = links.map((link, i) => {
    const target = i === 0 ? undefined : cluster.target(i, broker);
    return { link, index: i, pid: target?.pid ?? cluster.serverPid, workerId: target?.workerId ?? null };
  });
  await cleanup.run();
  loopDelay.disable();
  const reference = await runReference(song, join(opts.outDir, "reference"));

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
    queues: { jobs: `/queue/${prefix}.jobs`, results: `/queue/${prefix}.results` },
    links: linkFacts,
    machine: {
      loopDelayMaxMs: Math.round(loopDelay.max / 1e6),
      loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      loadAverage: Number(loadavg()[0].toFixed(2)),
    },
    broker: brokerStats,
    output: { ...output, referenceError: reference.error },
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
      referenceMs: reference.ms ?? null,
      wallMs: Date.now() - startedWall,
    },
  };
  writeRunFacts(opts.outDir, facts);
  const run = await judgeRun(opts.outDir);
  const oracle = run.checks.find((c) => c.check === "output-oracle");
  if (oracle) log.info(`Harness: output-oracle: ${oracle.summary}`);
  return run;
}

/** The harness's own HTTP client: each call is an operation, ok with what it saw or fail/info with why. */
async function call<T>(
  ops: OperationLog,
  f: string,
  value: OpValue,
  request: () => Promise<Response>,
  read: (res: Response) => Promise<T>,
  summarize: (result: T) => OpValue = () => ({}),
): Promise<T> {
  const invoked = ops.invoke("client", f, value);
  let res: Response;
  try {
    res = await request();
  } catch (error) {
    // No answer: the request may or may not have been acted on.
    ops.complete(invoked, "info", { error: (error as Error).message });
    throw error;
  }
  if (!res.ok) {
    const body = await res.text();
    ops.complete(invoked, "fail", { status: res.status, error: body.slice(0, 200) });
    throw new Error(`${f} failed: ${res.status} ${body}`);
  }
  const result = await read(res);
  ops.complete(invoked, "ok", { status: res.status, ...summarize(result) });
  return result;
}

interface Uploaded {
  music_id: number;
  tracks: { track_id: number; name: string }[];
}

interface SongState {
  status: string;
  progress: number;
  instruments: { name: string; track: string | null }[];
  final: string | null;
  final_mp3: string | null;
}

/** Uploads the song, asks for the karaoke mix, runs the fault schedule, and waits for the song or the budget. */
async function playSong(
  cluster: ClusterProcesses,
  songFile: string,
  plan: Plan,
  timeline: Timeline,
  faults: FaultSchedule,
  ops: OperationLog,
  onProgress: (percent: number) => void,
): Promise<{ song: SongOutcome; sentAt: number }> {
  const music = await call(
    ops,
    "upload",
    { file: basename(songFile) },
    () =>
      fetch(`${cluster.url}/music`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: readFileSync(songFile),
      }),
    (res) => res.json() as Promise<Uploaded>,
    (m) => ({ music: m.music_id }),
  );
  const karaoke = music.tracks.filter((t) => t.name !== "vocals").map((t) => t.track_id);
  const sentAt = monotonicMs();
  await call(
    ops,
    "choose",
    { music: music.music_id, tracks: karaoke.join(",") },
    () =>
      fetch(`${cluster.url}/music/${music.music_id}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(karaoke),
      }),
    (res) => res.text(),
  );

  faults.start(sentAt);
  const song: SongOutcome = { musicId: music.music_id, status: "separating", done: false };
  let polls = 0;
  while (monotonicMs() - sentAt < plan.budgetMs) {
    let state: SongState;
    try {
      // Every poll is in the history only when something changed, so the file stays small.
      state = (await (await fetch(`${cluster.url}/music/${music.music_id}`)).json()) as SongState;
      polls++;
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
  const seen = ops.invoke("client", "poll", { music: music.music_id, polls });
  ops.complete(seen, song.done ? "ok" : "fail", { status: song.status, elapsedMs: song.elapsedMs ?? null });
  if (!song.done)
    timeline.write(
      "ERROR",
      `Harness: Music[${music.music_id}] not done within the budget (status ${song.status})`,
    );
  return { song, sentAt };
}

/** Saves every stem and the chosen mix (WAV and MP3) as the server serves them, for the output oracle. */
async function downloadOutputs(
  url: string,
  song: SongOutcome,
  dir: string,
  ops: OperationLog,
): Promise<{ dir: string; error?: string }> {
  if (!song.done) return { dir: "output", error: "no output: the song did not finish" };
  try {
    mkdirSync(dir, { recursive: true });
    const state = await call(
      ops,
      "read",
      { music: song.musicId },
      () => fetch(`${url}/music/${song.musicId}`),
      (res) => res.json() as Promise<SongState>,
    );
    const files: [string, string | null][] = [
      ...state.instruments.map((i): [string, string | null] => [`${i.name}.wav`, i.track]),
      ["final.wav", state.final],
      ["final.mp3", state.final_mp3],
    ];
    for (const [name, path] of files) {
      if (!path) return { dir: "output", error: `the server lists no URL for ${name}` };
      const bytes = await call(
        ops,
        "download",
        { file: name },
        () => fetch(`${url}${path}`),
        async (res) => Buffer.from(await res.arrayBuffer()),
        (b) => ({ bytes: b.length }),
      );
      writeFileSync(join(dir, name), bytes);
    }
    return { dir: "output" };
  } catch (error) {
    return { dir: "output", error: `downloading the outputs failed: ${(error as Error).message}` };
  }
}

/** The single-process reference on the same song file: every stem, the karaoke mix, and its MP3. */
async function runReference(songFile: string, dir: string): Promise<{ ms?: number; error?: string }> {
  const started = monotonicMs();
  const ref = await spawnEntry(
    "separate",
    ["--input", songFile, "--out", dir, "--tracks", "drums,bass,other"],
    process.env as Record<string, string>,
  );
  if (ref.exitCode !== 0) return { error: `the reference run failed (exit ${ref.exitCode})` };
  return { ms: Math.round(monotonicMs() - started) };
}
