import { join } from "node:path";
import { freePort } from "../../src/broker/free-port.js";
import { loadSettings, type Settings, settingsEnv } from "../../src/config/settings.js";
import { forwardLines } from "../../src/process/forward-output.js";
import { fromRoot } from "../../src/process/project-paths.js";
import { type Child, cliEntry, spawnScript, stopChild } from "../../src/process/spawn-entry.js";
import { waitForHealth } from "../../src/process/wait-for-health.js";
import type { FaultTarget } from "../nemesis/nemesis.js";
import type { Scenario, ServerKind, WorkerKind } from "../scenario/scenario.js";
import type { Plan } from "../schedule/plan.js";
import type { BrokerHandle } from "./broker-environment.js";

export interface WorkerHandle extends FaultTarget {
  child: Child;
}

const faulty = (file: string) => fromRoot("harness/faulty", file);

/** Each kind of worker: the product's, or a deliberately broken variant that the checks must catch. */
const WORKER_KINDS: Record<WorkerKind, { script: string; env?: Record<string, string> }> = {
  standard: { script: cliEntry("worker") },
  "ack-before-work": { script: faulty("ack-before-work-worker.ts") },
  "ack-on-current-connection": { script: faulty("ack-on-current-connection-worker.ts") },
  "ack-before-receipt": { script: faulty("ack-before-receipt-worker.ts") },
  "no-reconnect": { script: faulty("no-reconnect-worker.ts") },
  // The original's defect 1: no heart-beats negotiated, so a frozen worker holds its job forever.
  "no-heartbeat": { script: cliEntry("worker"), env: { HEARTBEAT: "0,0" } },
  "stop-after-nack": { script: faulty("stop-after-nack-worker.ts") },
  // As good as none: a job every worker fails on goes round a thousand times instead of being set aside.
  "no-delivery-limit": {
    script: cliEntry("worker"),
    env: { JOB_MAX_FAILURES: "1000", JOB_MAX_DELIVERIES: "1000" },
  },
  "ignores-reset": { script: faulty("ignores-reset-worker.ts") },
  "classic-jobs": { script: faulty("classic-jobs-worker.ts") },
  "first-node-only": { script: faulty("first-node-only-worker.ts") },
};

const SERVER_KINDS: Record<ServerKind, { script: string; freshDataEachStart?: boolean }> = {
  standard: { script: cliEntry("server") },
  "ack-before-save": { script: faulty("ack-before-save-server.ts") },
  "dedup-by-chunk": { script: faulty("dedup-by-chunk-server.ts") },
  "crash-on-malformed": { script: faulty("crash-on-malformed-server.ts") },
  "requeues-duplicates": { script: faulty("requeues-duplicates-server.ts") },
  // Keeps nothing across a restart, as a server holding its state in memory would.
  "memory-only": { script: cliEntry("server"), freshDataEachStart: true },
  "trusts-job-id": { script: faulty("trusts-job-id-server.ts") },
  "classic-jobs": { script: faulty("classic-jobs-server.ts") },
};

/** The product's processes as the harness runs them: real server and worker processes, each with its events file. */
export class ClusterProcesses {
  readonly workers: WorkerHandle[] = [];
  private server: Child | undefined;
  private serverKind: ServerKind = "standard";
  private starts = 0;

  private constructor(
    readonly settings: Settings,
    readonly url: string,
    private readonly dirs: { events: string; traces: string },
    private readonly onLine: (line: string) => void,
    private readonly linkPorts: (link: string) => number[],
  ) {}

  get serverPid(): number {
    return this.server?.pid ?? 0;
  }

  /** A fault's target by number: 1.. a worker, 0 the server, -1 the broker. */
  target(index: number, broker: BrokerHandle): FaultTarget {
    if (index === -1) return { index, link: "broker", pid: 0, workerId: undefined };
    if (index === 0) return { index, link: "server", pid: this.server?.pid ?? 0, workerId: undefined };
    const worker = this.workers[index - 1];
    if (!worker)
      throw new Error(`no worker ${index} (there are ${this.workers.length}); broker ${broker.kind}`);
    return worker;
  }

  static async create(
    broker: BrokerHandle,
    scenario: Scenario,
    runId: string,
    dirs: { data: string; events: string; traces: string },
    onLine: (line: string) => void,
    linkPorts: (link: string) => number[],
  ): Promise<ClusterProcesses> {
    const port = await freePort();
    const total = scenario.workers.healthy + scenario.workers.unhealthy;
    const settings = loadSettings(
      [],
      {},
      {
        brokerHost: broker.host,
        brokerStompPort: String(broker.stompPort),
        brokerUser: broker.user,
        brokerPassword: broker.password,
        heartbeat: `${scenario.heartbeatMs},${scenario.heartbeatMs}`,
        reconnectMinMs: "100",
        reconnectMaxMs: "1000",
        queuePrefix: `encore-${runId}`,
        serverPort: String(port),
        dataDir: dirs.data,
        splitMode: scenario.song.split === "per-worker" ? "per-worker" : "seconds",
        splitChunks: String(total),
        chunkSeconds: String(scenario.song.split === "per-worker" ? 30 : scenario.song.split),
        jobMaxFailures: String(scenario.deliveryLimit),
      },
    );
    const cluster = new ClusterProcesses(settings, `http://127.0.0.1:${port}`, dirs, onLine, linkPorts);
    cluster.serverKind = scenario.server.kind;
    return cluster;
  }

  async startServer(): Promise<void> {
    const kind = SERVER_KINDS[this.serverKind];
    this.starts++;
    this.server = this.spawn(kind.script, "server.jsonl", {
      ...this.brokerEnv("server", 0),
      ...(kind.freshDataEachStart ? { DATA_DIR: `${this.settings.dataDir}-start-${this.starts}` } : {}),
    });
    const server = this.server;
    await waitForHealth(this.url, () => server.exitCode !== null, "the timeline");
  }

  /** After a kill or a stop: the same port, data directory and events file; resolves once it answers. */
  async restartServer(): Promise<{ pid: number }> {
    if (this.server && this.server.exitCode === null && this.server.signalCode === null)
      await stopChild(this.server, 5000);
    await this.startServer();
    return { pid: this.serverPid };
  }

  /** Starts the workers (healthy first, then the unhealthy ones) and waits until each is connected. */
  async startWorkers(scenario: Scenario, plan: Plan): Promise<void> {
    const total = scenario.workers.healthy + scenario.workers.unhealthy;
    for (let index = 1; index <= total; index++) {
      const link = `worker-${index}`;
      const kind = WORKER_KINDS[scenario.workers.kind];
      const child = this.spawn(kind.script, `${link}.jsonl`, {
        ...kind.env,
        WORKER_MIN_JOB_MS: String(plan.workerJobMs[index - 1]),
        ...this.brokerEnv(link, index),
      });
      const handle: WorkerHandle = { index, link, pid: child.pid ?? 0, workerId: undefined, child };
      forwardLines(child.stdout, (line) => {
        handle.workerId ??= /Worker\[(\w+)\] connected/.exec(line)?.[1];
      });
      this.workers.push(handle);
    }
    const deadline = Date.now() + 60_000;
    while (this.workers.some((w) => w.workerId === undefined)) {
      const dead = this.workers.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`worker ${dead.index} exited during start-up (see the timeline)`);
      if (Date.now() > deadline) throw new Error("workers did not connect within 60 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops workers, then the server: SIGTERM, SIGKILL after a grace period. Frozen ones are resumed first. */
  async stop(): Promise<void> {
    for (const w of this.workers) {
      try {
        process.kill(w.pid, "SIGCONT");
      } catch {}
    }
    await Promise.all(this.workers.map((w) => stopChild(w.child, 3000)));
    if (this.server) await stopChild(this.server, 5000);
  }

  /**
   * The link's proxies as the process's broker addresses. With a cluster, process k starts at node k+1 (mod the
   * nodes): the server and the workers spread over the nodes, as clients of a real cluster would.
   */
  private brokerEnv(link: string, offset: number): Record<string, string> {
    const ports = this.linkPorts(link);
    const start = offset % ports.length;
    const rotated = [...ports.slice(start), ...ports.slice(0, start)];
    return {
      BROKER_HOST: "127.0.0.1",
      BROKER_STOMP_PORT: String(rotated[0]),
      BROKER_ADDRESSES: rotated.map((port) => `127.0.0.1:${port}`).join(","),
    };
  }

  private spawn(script: string, eventsFile: string, extra: Record<string, string>): Child {
    const env = {
      ...process.env,
      ...settingsEnv(this.settings),
      EVENTS_FILE: join(this.dirs.events, eventsFile),
      TRACES_FILE: join(this.dirs.traces, eventsFile),
      ...extra,
    } as Record<string, string>;
    const child = spawnScript(script, [], env);
    forwardLines(child.stdout, this.onLine);
    forwardLines(child.stderr, this.onLine);
    return child;
  }
}
