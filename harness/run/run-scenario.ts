import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { monotonicMs } from "../../src/events/event-log.js";
import type { Logger } from "../../src/log/logger.js";
import type { CheckInput } from "../checker/checker.js";
import { downloadOutputs } from "../client/song-client.js";
import { WorkloadRunner } from "../client/workload.js";
import { type BrokerHandle, EnvironmentError } from "../environment/broker-environment.js";
import { ClusterProcesses } from "../environment/cluster-processes.js";
import { LinkProxies, proxyName } from "../environment/link-proxies.js";
import { awaitReplicated, deleteQueues, settledQueueStats } from "../environment/management-api.js";
import { type BrokerChoice, pickBroker } from "../environment/pick-broker.js";
import { startToxiproxy } from "../environment/toxiproxy-provider.js";
import { OperationLog } from "../history/operations.js";
import { NEMESES } from "../nemesis/index.js";
import type { Scenario } from "../scenario/scenario.js";
import { planRun } from "../schedule/plan.js";
import { SubscriptionWatch } from "../wire/subscription-watch.js";
import { WireLog } from "../wire/wire-log.js";
import { WireTriggers } from "../wire/wire-triggers.js";
import type { Cleanup } from "./cleanup.js";
import { FaultSchedule } from "./fault-schedule.js";
import { judgeRun } from "./judge-run.js";
import { LiveProgress } from "./live-progress.js";
import { makeSongs } from "./make-songs.js";
import { PhaseClock } from "./phase-clock.js";
import { References } from "./reference-run.js";
import { type RunFacts, type RunRecord, type SongFacts, writeRunFacts } from "./run-record.js";
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
  /** A broker booted once for several runs (npm run gate): used as it is, and left running. */
  sharedBroker?: { broker: BrokerHandle; why: string };
  /** Where lines and live progress go; `tty` redraws the status line in place. */
  write: (text: string) => void;
  tty: boolean;
  cleanup: Cleanup;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the cluster may take, after the workload, to finish what is still queued before it is judged. */
const QUIESCE_MS = 30_000;
/** How long the broker's counters must hold still to be read (they lag: see settledQueueStats). */
const COUNTERS_STILL_MS = 3000;

/** Chunks a song of `seconds` must become, from the scenario alone (not from the product's own split code). */
export function expectedChunks(scenario: Scenario, seconds: number): number {
  const workers = scenario.workers.healthy + scenario.workers.unhealthy;
  const bySeconds = Math.ceil(
    seconds / (scenario.song.split === "per-worker" ? 60 : Math.min(60, scenario.song.split)),
  );
  return scenario.song.split === "per-worker" ? Math.max(workers, bySeconds) : bySeconds;
}

const QUEUE_SETTLE_MS = 2500;

/** Whether the scenario kills the broker: it needs a broker of its own that the harness can restart. */
export const crashesBroker = (scenario: Scenario) => scenario.faults.some((f) => f.fault === "broker-crash");

/** The broker settings the scenario's faults need (a consumer timeout, …). */
export const brokerEnvOf = (scenario: Scenario): Record<string, number> =>
  Object.assign({}, ...scenario.faults.map((f) => NEMESES[f.fault]?.brokerEnv ?? {}));

/**
 * A scenario that kills the broker, changes its settings or needs a cluster needs a broker of its own, never a
 * shared one.
 */
export const ownsBroker = (scenario: Scenario) =>
  crashesBroker(scenario) || Object.keys(brokerEnvOf(scenario)).length > 0 || scenario.brokerNodes > 1;

/**
 * A broker of the run's own, stopped with it. A scenario that needs a cluster gets the local one under `auto`;
 * a broker of fewer nodes than it needs is an environment error that says so.
 */
export async function startBroker(
  opts: Pick<RunOptions, "broker" | "brokerUrl" | "brokerImage">,
  log: Logger,
  cleanup: Cleanup,
  nodesNeeded = 1,
): Promise<{ broker: BrokerHandle; why: string }> {
  const choice = nodesNeeded > 1 && opts.broker === "auto" ? "cluster" : opts.broker;
  if (nodesNeeded > 1 && choice !== "cluster" && choice !== "external")
    throw new EnvironmentError(
      `the scenario needs a ${nodesNeeded}-node cluster: use --broker cluster (local nodes) or --broker external with one URL per node`,
    );
  const { provider, why } = await pickBroker(choice, { url: opts.brokerUrl, image: opts.brokerImage }, log);
  const reason = choice === opts.broker ? why : `auto: the scenario needs a ${nodesNeeded}-node cluster`;
  log.info(`Harness: broker environment: ${provider.kind} (${reason})`);
  const broker = await provider.start(log);
  cleanup.add("broker", () => broker.stop());
  const nodes = broker.nodes?.length ?? 1;
  if (nodes < nodesNeeded)
    throw new EnvironmentError(
      `the scenario needs ${nodesNeeded} broker nodes; ${broker.description} has ${nodes}`,
    );
  return { broker, why: reason };
}

/**
 * One run, Jepsen-style: set up the environment, start the cluster, feed it the song while the nemesis acts
 * on the schedule, record everything, tear it all down, then let the checkers judge the history.
 */
/** The workload starts once the broker has confirmed every worker's jobs subscription, as seen on the wire. */
async function awaitSubscriptions(watch: SubscriptionWatch, links: string[], log: Logger): Promise<void> {
  const subscribed = await watch.all(links, 60_000);
  const unconfirmed = subscribed.filter((s) => s.how === "sent").map((s) => s.link);
  log.info(
    `Harness: the broker confirmed the jobs subscription of ${links.length - unconfirmed.length} of ${links.length} workers`,
  );
  if (unconfirmed.length > 0)
    log.warn(
      `Harness: ${unconfirmed.join(", ")} subscribed without asking a RECEIPT: when the queue began delivering to them is not known`,
    );
}

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
  const plan = planRun(scenario, seed);
  const runId = `${startedWall.toString(36)}-${process.pid}`;

  log.info(`Harness: scenario ${scenario.name} (seed ${seed}): ${scenario.description}`);
  const clock = new PhaseClock(origin);
  const brokerStarting = opts.sharedBroker
    ? Promise.resolve(opts.sharedBroker)
    : startBroker(opts, log, cleanup, scenario.brokerNodes);
  // While the broker's processes boot.
  const songsMade = makeSongs(scenario, seed, plan, opts.outDir);
  const [{ broker, why }, files] = await Promise.all([brokerStarting, songsMade]);
  if (crashesBroker(scenario) && !broker.crash) {
    throw new EnvironmentError(
      `scenario ${scenario.name} crashes the broker, which the ${broker.kind} environment cannot do: use --broker local`,
    );
  }
  if (crashesBroker(scenario) && !opts.wireTap)
    throw new EnvironmentError(
      "a broker restart moves the broker's port, which only the wire taps follow: keep --wire-tap on",
    );
  const brokerEnv = brokerEnvOf(scenario);
  if (Object.keys(brokerEnv).length > 0) {
    if (!broker.setEnv)
      throw new EnvironmentError(
        `the ${broker.kind} broker cannot be given the settings ${JSON.stringify(brokerEnv)}`,
      );
    await broker.setEnv(brokerEnv);
    log.info(`Harness: broker settings for this run: ${JSON.stringify(brokerEnv)}`);
  }
  const brokerReadyMs = monotonicMs() - origin;
  clock.lap("songs made, broker ready");
  log.info(`Harness: ${broker.description}`);
  const toxiproxy = await startToxiproxy(opts.toxiproxyUrl, seed, log);
  cleanup.add("toxiproxy", () => toxiproxy.stop());
  const proxies = new LinkProxies(toxiproxy.url);
  const links = ["server", ...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`)];
  const wire = opts.wireTap ? new WireLog(join(opts.outDir, "wire.jsonl")) : undefined;
  const upstreams = new Map<string, string>();
  // One tap per link and node: what each process sent to each node, and what each node sent it.
  const nodes = broker.nodes ?? [];
  for (const link of links) {
    for (const node of nodes.length > 0 ? nodes : [undefined]) {
      const address = node ?? broker;
      const tap = await wire?.tap(link, { host: address.host, port: address.stompPort }, node?.label);
      upstreams.set(
        proxyName(link, node?.label),
        tap ? `127.0.0.1:${tap.port}` : `${address.host}:${address.stompPort}`,
      );
    }
  }
  if (wire) cleanup.add("wire taps", () => wire.close());
  else
    log.warn("Harness: wire taps off (--wire-tap off): nothing to judge from, the verdict will be unknown");
  await proxies.create(
    links,
    nodes.map((n) => n.label),
    (link, node) => upstreams.get(proxyName(link, node)) ?? "",
  );
  cleanup.add("link proxies", async () => {
    await proxies.heal();
    await proxies.remove();
  });

  clock.lap("proxies and wire taps");
  const cluster = await ClusterProcesses.create(
    broker,
    scenario,
    runId,
    { data: join(work, "data"), events: eventsDir, traces: tracesDir },
    (line) => timeline.add(line),
    (link) => proxies.ports(link),
  );
  cleanup.add("cluster processes", () => cluster.stop());
  const prefix = cluster.settings.queuePrefix;
  const queues = {
    jobs: `/queue/${prefix}.jobs`,
    results: `/queue/${prefix}.results`,
    deadLetter: `/queue/${prefix}.dead-letter`,
  };
  const jobsSubscribed = new SubscriptionWatch(queues.jobs);
  wire?.listen(jobsSubscribed.see);
  // One after the other: started together, two workers' first SUBSCRIBE got the broker's "Processing error" (a
  // variant that does not reconnect then never served).
  await cluster.startServer();
  await cluster.startWorkers(scenario, plan);
  if (wire) await awaitSubscriptions(jobsSubscribed, links.slice(1), log);
  if (broker.nodes)
    for (const line of await awaitReplicated(broker, [`${prefix}.jobs`, `${prefix}.results`]))
      log.info(`Harness: cluster: ${line}`);
  clock.lap("server and workers up");
  // RabbitMQ 3.10 may bring a quorum queue killed -9 within about a second of its creation back leaderless and
  // empty (measured: 13 of 13 kills 10–881 ms after, 0 of 16 kills 1.1–2.8 s after). That is the broker's defect,
  // not the product's: the jobs queue (declared by the workers' SUBSCRIBE) gets past it before any fault.
  if (crashesBroker(scenario)) await sleep(QUEUE_SETTLE_MS);
  const clusterReadyMs = monotonicMs() - origin;
  progress.start();
  // How late this process's timers run while the song is on: the data path (taps, embedded Toxiproxy) runs
  // here, so the detection bounds widen by what the machine is doing. (Making the song, before, blocks it.)
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const client = new WorkloadRunner(cluster.url, scenario, files, plan.budgetMs, timeline, ops);
  const triggers = wire ? new WireTriggers(queues, (music) => client.labelOf(music)) : undefined;
  if (wire && triggers) {
    wire.onBefore = triggers.before;
    wire.listen(triggers.after);
  }
  faults = new FaultSchedule(
    plan,
    (index) => cluster.target(index, broker),
    {
      proxies,
      broker,
      retargetBroker: (upstream) => wire?.retarget(upstream),
      restartServer: () => cluster.restartServer(),
      queues,
      triggers,
    },
    timeline,
    ops,
  );
  cleanup.add("faults", () => faults.stop());
  faults.arm();
  const progressTimer = setInterval(() => progress.song(client.progress), 250);
  await client.run((t0) => faults?.start(t0));
  clearInterval(progressTimer);
  progress.workloadOver(client.progress, "workload over: outputs, queues and the broker's counters settling");
  clock.lap("workload");
  const references = new References(opts.outDir);
  cleanup.add("reference runs", () => references.settled());
  for (const song of client.songs.values())
    if (song.done) references.start(song.label, song.file, song.tracks);
  // Zombies act when healed: let every heal happen and every late result reach the server before judging.
  await faults.settled();
  if (faults.healedAny) await sleep(1000);
  clock.lap("faults healed, late results in");
  loopDelay.disable();
  for (const trigger of triggers?.unfired ?? [])
    timeline.write("ERROR", `Harness: the wire trigger ${JSON.stringify(trigger)} never fired`);
  const outputs = new Map<string, string | undefined>();
  const downloaded = (async () => {
    for (const song of client.songs.values()) {
      if (!song.done || song.resetAt !== undefined || song.musicId === null) continue;
      outputs.set(
        song.label,
        await downloadOutputs(cluster.url, song.musicId, join(opts.outDir, "output", song.label), ops),
      );
    }
  })();
  const counted = [`${prefix}.jobs`, `${prefix}.results`];
  const runQueues = [...counted, `${prefix}.dead-letter`];
  // Downloads change no queue, so they run while the broker's queues drain and its counters settle.
  // One wait for both: the queues empty (work still queued, say jobs published again after a server restart,
  // is done rather than cut off) and the counters still. A channel that closes can take its last counts with
  // it: they are read while every connection is still up and idle, the end state once nobody can change it.
  const settledLive = settledQueueStats(broker, counted, counted, COUNTERS_STILL_MS, QUIESCE_MS)
    .then(([jobs, results]) => {
      for (const q of [jobs, results])
        if (q && q.ready + q.unacked > 0)
          timeline.write(
            "WARNING",
            `Harness: ${q.queue} still holds ${q.ready} ready and ${q.unacked} unacked messages ${QUIESCE_MS / 1000} s after the workload ended`,
          );
      return { at: monotonicMs(), jobs, results };
    })
    .catch((error: Error) => {
      timeline.write("WARNING", `Harness: the broker's counters could not be read live: ${error.message}`);
      return undefined;
    });
  const [live] = await Promise.all([settledLive, downloaded]);
  clock.lap("outputs downloaded, queues drained, live counters settled");
  await faults.stop();
  await cluster.stop();
  clock.lap("processes stopped");
  let brokerStats: CheckInput["broker"];
  try {
    const [jobs, results, deadLetter] = await settledQueueStats(
      broker,
      runQueues,
      counted,
      COUNTERS_STILL_MS,
    );
    brokerStats = { jobs, results, deadLetter, ...(live ? { live } : {}) };
  } catch (error) {
    brokerStats = { error: (error as Error).message };
  }
  // Every queue the run's prefix names (the product's epoch stream too), so a shared broker does not fill up.
  await deleteQueues(broker, [...runQueues, `${prefix}.epochs`]).catch((error: Error) =>
    timeline.write("WARNING", `Harness: the run's queues could not be deleted: ${error.message}`),
  );
  clock.lap("final counters settled, queues deleted");
  const linkFacts = links.map((link, i) => {
    const target = i === 0 ? undefined : cluster.target(i, broker);
    return { link, index: i, pid: target?.pid ?? cluster.serverPid, workerId: target?.workerId ?? null };
  });
  // A shared broker's log also holds the runs before this one; it is still the first place to look.
  await broker.saveLog?.(join(opts.outDir, "broker.log")).catch((error: Error) => {
    timeline.write("WARNING", `Harness: the broker's log could not be saved: ${error.message}`);
  });
  await cleanup.run();
  clock.lap("teardown (and the references, begun after the workload)");
  const songs: SongFacts[] = [];
  for (const song of client.songs.values()) {
    const referenceDir = References.dir(song.label);
    const reference = await references.result(song.label);
    const outputError = outputs.has(song.label)
      ? outputs.get(song.label)
      : "no output: the song did not finish";
    songs.push({
      label: song.label,
      file: join("songs", `${song.label}.mp3`),
      seconds: song.seconds,
      tracks: song.tracks,
      chunks: expectedChunks(scenario, song.seconds),
      musicId: song.musicId,
      status: song.status,
      ...(song.error === undefined ? {} : { error: song.error }),
      done: song.done,
      ...(song.elapsedMs === undefined ? {} : { elapsedMs: song.elapsedMs }),
      budgetMs: plan.budgetMs,
      ...(song.afterReset ? { afterReset: song.afterReset } : {}),
      output: { dir: join("output", song.label), ...(outputError ? { error: outputError } : {}) },
      reference: { dir: referenceDir, ...reference },
    });
  }

  const facts: RunFacts = {
    scenario,
    plan,
    seed,
    replay: opts.replay,
    origin,
    environment: {
      broker: { kind: broker.kind, image: broker.image ?? null, description: broker.description, why },
      toxiproxy: { kind: toxiproxy.kind, description: toxiproxy.description },
    },
    queues,
    links: linkFacts,
    machine: {
      loopDelayMaxMs: Math.round(loopDelay.max / 1e6),
      loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      loadAverage: Number(loadavg()[0].toFixed(2)),
    },
    broker: brokerStats,
    songs,
    timings: {
      startedAt: new Date(startedWall).toISOString(),
      brokerReadyMs: Math.round(brokerReadyMs),
      clusterReadyMs: Math.round(clusterReadyMs),
      songMs: songs[0]?.elapsedMs ?? null,
      referenceMs: songs[0]?.reference.ms ?? null,
      wallMs: Date.now() - startedWall,
      phases: clock.phases,
    },
  };
  writeRunFacts(opts.outDir, facts);
  const run = await judgeRun(opts.outDir);
  const oracle = run.checks.find((c) => c.check === "output-oracle");
  if (oracle) log.info(`Harness: output-oracle: ${oracle.summary}`);
  return run;
}
