import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../log/logger.js";
import { groupRuns } from "../process/proc-stat.js";
import { type BrokerPorts, brokerPorts } from "./broker-ports.js";
import { portIsFree } from "./free-port.js";
import { waitForStomp } from "./stomp-probe.js";

const RABBITMQ_BIN = "/usr/lib/rabbitmq/bin";

export interface LocalBrokerOptions {
  log: Logger;
  /** Data directory, kept on stop, with the ports for the next start; a fresh temp dir (removed on stop) when omitted. */
  dir?: string;
  bootTimeoutMs?: number;
  /** Boot it again, on the same data and ports, when it dies by itself (npm start, npm run broker). */
  supervise?: boolean;
  /**
   * A node of a cluster on this machine: every node registers with one epmd (on this port, stopped by the
   * cluster, not the node) and proves itself with one Erlang cookie.
   */
  cluster?: { epmdPort: number; cookie: string };
  /** Ports chosen by the caller (a cluster picks every node's at once, so no two nodes pick the same one). */
  ports?: BrokerPorts;
}

export interface BrokerEndpoint {
  host: string;
  stompPort: number;
  amqpPort: number;
  managementPort: number;
  user: string;
  password: string;
}

/**
 * A private RabbitMQ node as a child process: its own ports, data dir and epmd, on 127.0.0.1 only. It runs in
 * its own process group, watched by a reaper that takes it down if this process dies without stopping it.
 */
export class LocalBroker implements BrokerEndpoint {
  readonly host = "127.0.0.1";
  readonly user = "guest";
  readonly password = "guest";
  private child: ChildProcess | undefined;
  private reaper: ChildProcess | undefined;
  private exitReason: string | undefined;
  /** Set by stop() and kill9(): the node's exit is ours, not a crash to recover from. */
  private leaving = false;

  private constructor(
    private readonly options: LocalBrokerOptions,
    readonly dir: string,
    private readonly ownsDir: boolean,
    readonly stompPort: number,
    readonly amqpPort: number,
    readonly managementPort: number,
    private readonly distPort: number,
    private readonly epmdPort: number,
  ) {}

  static async start(options: LocalBrokerOptions): Promise<LocalBroker> {
    if (!existsSync(join(RABBITMQ_BIN, "rabbitmq-server"))) {
      throw new Error(
        `RabbitMQ is not installed (${RABBITMQ_BIN}/rabbitmq-server missing): apt-get install -y rabbitmq-server`,
      );
    }
    const ownsDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), "encore-broker-"));
    mkdirSync(dir, { recursive: true });
    const { stomp, amqp, management, dist, epmd } = options.ports ?? (await brokerPorts(options.dir));
    const epmdPort = options.cluster?.epmdPort ?? epmd;
    const broker = new LocalBroker(options, dir, ownsDir, stomp, amqp, management, dist, epmdPort);
    try {
      await broker.boot();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  get managementUrl(): string {
    return `http://${this.host}:${this.managementPort}`;
  }

  /** The node's console output, appended to by every boot. */
  get logFile(): string {
    return join(this.dir, "log", "console.log");
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Boots (or reboots, after kill9) the node on the same data dir and ports. */
  boot(): Promise<void> {
    this.leaving = false;
    return this.launch();
  }

  private async launch(): Promise<void> {
    for (const port of [this.stompPort, this.amqpPort, this.managementPort]) {
      if (!(await portIsFree(port))) throw new Error(`port ${port} is already taken on 127.0.0.1`);
    }
    this.writeConfig();
    this.exitReason = undefined;
    const consoleLog = openSync(this.logFile, "a");
    const child = spawn(join(RABBITMQ_BIN, "rabbitmq-server"), [], {
      env: this.env(),
      detached: true,
      stdio: ["ignore", consoleLog, consoleLog],
    });
    this.child = child;
    child.once("exit", (code, signal) => {
      // The folder may be removed with the node: its last words go into the error.
      const tail = readFileSync(this.logFile, "utf8").trim().split("\n").slice(-8).join("\n");
      this.exitReason = `rabbitmq-server exited before it was ready (code ${code}, signal ${signal}); the end of its log:\n${tail}`;
    });
    this.startReaper(child.pid as number);
    const started = Date.now();
    await waitForStomp(
      this.host,
      this.stompPort,
      this.user,
      this.password,
      this.options.bootTimeoutMs ?? 90_000,
      () => (this.child === child ? this.exitReason : "broker stopped"),
    );
    this.options.log.info(
      `Broker: RabbitMQ ready on 127.0.0.1 (STOMP ${this.stompPort}, management ${this.managementPort}) in ${((Date.now() - started) / 1000).toFixed(1)}[s]`,
    );
    if (this.options.supervise) child.once("exit", (code, signal) => this.crashed(child, code, signal));
  }

  /** The supervisor: a node that died by itself is booted again on the same node name, ports and data. */
  private async crashed(
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    if (this.child !== child || this.leaving) return;
    this.options.log.warn(
      `Broker: RabbitMQ exited by itself (code ${code}, signal ${signal}); starting it again on the same data and ports`,
    );
    if (child.pid) await groupGone(child.pid, 10_000);
    for (let attempt = 1; !this.leaving; attempt++) {
      try {
        await this.launch();
        const woken = await this.electLeaderless();
        if (woken.length > 0)
          this.options.log.warn(
            `Broker: quorum queue ${woken.join(", ")} came back without a leader (RabbitMQ 3.10, after a kill soon after its creation); an election was called, and what it held may be lost`,
          );
        return;
      } catch (error) {
        this.options.log.error(
          `Broker: restart ${attempt} failed (${(error as Error).message}); trying again in 2 s`,
        );
        await this.signalGroup("SIGKILL", 5000);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  /** rabbitmqctl against this node; rejects with its output when it exits non-zero. */
  async ctl(args: readonly string[]): Promise<string> {
    const { execa } = await import("execa");
    const run = await execa(join(RABBITMQ_BIN, "rabbitmqctl"), ["-n", this.nodeName, ...args], {
      env: this.env(),
      extendEnv: false,
      reject: false,
      timeout: 30_000,
      all: true,
    });
    if (run.exitCode !== 0) throw new Error(`rabbitmqctl ${args.join(" ")}: ${run.all ?? run.shortMessage}`);
    return run.stdout;
  }

  /**
   * RabbitMQ 3.10 can bring back a single-node quorum queue, killed -9 within a second or so of its creation,
   * as an empty follower at term 0 that never calls an election: every publish to it and consume from it then
   * waits for ever (measured: 13 of 13 restarts after kills 10–881 ms after the first publish, 0 of 16 after
   * 1.1–2.8 s). Triggers an election on each quorum queue that has no leader; returns those it had to wake.
   */
  async electLeaderless(): Promise<string[]> {
    return parseQueueNames(await this.ctl(["eval", ELECT_LEADERLESS]));
  }

  /** The nodes of this node's cluster that are running now, as rabbitmqctl cluster_status says. */
  async runningNodes(): Promise<string[]> {
    const printed = await this.ctl(["cluster_status", "--formatter", "json"]);
    let status: unknown;
    try {
      status = JSON.parse(printed);
    } catch {
      throw new Error(`rabbitmqctl cluster_status printed no JSON: ${printed.slice(0, 200)}`);
    }
    const running =
      typeof status === "object" && status !== null && "running_nodes" in status ? status.running_nodes : [];
    return Array.isArray(running) ? running.filter((n): n is string => typeof n === "string") : [];
  }

  /** Sets rabbit application settings at run time; they hold for channels opened afterwards, until a restart. */
  async setEnv(env: Readonly<Record<string, number>>): Promise<void> {
    await this.ctl(["eval", setEnvCall(env)]);
  }

  get nodeName(): string {
    return `encore-${this.stompPort}@localhost`;
  }

  /** kill -9 of the whole node (a crash), keeping the data dir for a restart. */
  async kill9(): Promise<void> {
    this.leaving = true;
    const group = this.child?.pid;
    await this.signalGroup("SIGKILL", 5000);
    // The wrapper script dies first; beam.smp still holds the ports (and its files) for a moment after it.
    if (group) await groupGone(group, 10_000);
  }

  /**
   * Stops the node, its epmd, the reaper, and removes the data dir it created. A node whose data is about to be
   * deleted is killed at once: its orderly shutdown took seconds and kept nothing.
   */
  async stop(): Promise<void> {
    this.leaving = true;
    const group = this.child?.pid;
    if (!this.ownsDir) await this.signalGroup("SIGTERM", 15_000);
    await this.signalGroup("SIGKILL", 5000);
    // The wrapper script can exit before beam.smp does, and epmd refuses to stop while a node is registered.
    if (group) await groupGone(group, 10_000);
    if (!this.options.cluster) await stopEpmd(this.epmdPort);
    this.stopReaper();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGSTOP of the whole node (beam.smp and its helpers): it holds every socket and answers nothing. */
  freeze(): boolean {
    return this.signalNow("SIGSTOP");
  }

  /** SIGCONT after freeze(). */
  resume(): boolean {
    return this.signalNow("SIGCONT");
  }

  /** The node's running processes (the wrapper script, beam.smp, its port programs): its process group. */
  get groupId(): number | undefined {
    const child = this.child;
    return child?.pid && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  private signalNow(signal: NodeJS.Signals): boolean {
    const group = this.groupId;
    if (!group) return false;
    try {
      process.kill(-group, signal);
      return true;
    } catch {
      return false;
    }
  }

  private async signalGroup(signal: NodeJS.Signals, waitMs: number): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
  }

  private stopReaper(): void {
    if (this.reaper?.pid) {
      try {
        process.kill(this.reaper.pid, "SIGKILL");
      } catch {}
    }
    this.reaper = undefined;
  }

  private startReaper(groupId: number): void {
    this.stopReaper();
    // A shell, not this process, so it survives our SIGKILL: when we are gone it stops the node and epmd (which
    // refuses to stop until the killed node's registration is gone, as in stop()).
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
kill -TERM -${groupId} 2>/dev/null; sleep 3; kill -KILL -${groupId} 2>/dev/null
for i in $(seq 40); do
  ERL_EPMD_PORT=${this.epmdPort} epmd -kill 2>&1 | grep -qi 'living nodes' || break
  sleep 0.25
done
${this.ownsDir ? `rm -rf '${this.dir}'` : ""}`;
    this.reaper = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
    this.reaper.unref();
  }

  private writeConfig(): void {
    for (const sub of ["mnesia", "log", "home"]) mkdirSync(join(this.dir, sub), { recursive: true });
    // Erlang reads the cookie from $HOME, and refuses one that others can read.
    if (this.options.cluster && !existsSync(join(this.dir, "home", ".erlang.cookie")))
      writeFileSync(join(this.dir, "home", ".erlang.cookie"), this.options.cluster.cookie, { mode: 0o400 });
    writeFileSync(
      join(this.dir, "rabbitmq.conf"),
      [
        `listeners.tcp.default = 127.0.0.1:${this.amqpPort}`,
        `stomp.listeners.tcp.1 = 127.0.0.1:${this.stompPort}`,
        `management.tcp.port = ${this.managementPort}`,
        "management.tcp.ip = 127.0.0.1",
        "loopback_users = none",
        // Counters fast enough for the harness to read them at the end of a run.
        "collect_statistics_interval = 500",
        "",
      ].join("\n"),
    );
    writeFileSync(join(this.dir, "enabled_plugins"), "[rabbitmq_stomp,rabbitmq_management].\n");
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      LANG: "C.UTF-8",
      HOME: join(this.dir, "home"),
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_NODE_PORT: String(this.amqpPort),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
      RABBITMQ_LOG_BASE: join(this.dir, "log"),
      RABBITMQ_LOGS: "-",
      RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
      RABBITMQ_CONF_ENV_FILE: "/dev/null",
      RABBITMQ_PID_FILE: join(this.dir, "rabbitmq.pid"),
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_EPMD_ADDRESS: "127.0.0.1",
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
    };
  }
}

/** Erlang for rabbitmqctl eval: the names of the quorum queues that had no leader, each after its election. */
export const ELECT_LEADERLESS = `[begin
  {RaName, _} = amqqueue:get_pid(Q),
  case ra:members({RaName, node()}, 3000) of
    {ok, _, _} -> ok;
    _ -> ra:trigger_election({RaName, node()}), binary_to_list(element(4, amqqueue:get_name(Q)))
  end
end || Q <- rabbit_amqqueue:list(), amqqueue:get_type(Q) =:= rabbit_quorum_queue].`;

/** Erlang for rabbitmqctl eval: each setting of the rabbit application, by a name Erlang reads as an atom. */
export function setEnvCall(env: Readonly<Record<string, number>>): string {
  const calls = Object.entries(env).map(([key, value]) => {
    if (!/^[a-z][a-z0-9_]*$/.test(key) || !Number.isInteger(value))
      throw new Error(`not a rabbit setting: ${key} = ${value}`);
    return `application:set_env(rabbit, ${key}, ${value})`;
  });
  return `${calls.join(", ")}.`;
}

/** The strings of rabbitmqctl eval's printed list, e.g. [ok,"a.jobs"]. */
export function parseQueueNames(printed: string): string[] {
  return [...printed.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
}

/** Stops the epmd on this port; it refuses while a node is registered, which a killed node stays for a moment. */
export async function stopEpmd(port: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const killed = spawnSync("epmd", ["-kill"], {
      env: { ...process.env, ERL_EPMD_PORT: String(port) },
      encoding: "utf8",
    });
    if (!/living nodes/i.test(`${killed.stdout}${killed.stderr}`)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function groupGone(group: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupRuns(group)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(-group, "SIGKILL");
  } catch {}
}
