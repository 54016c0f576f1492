import { randomBytes } from "node:crypto";
import type { Logger } from "../log/logger.js";
import { freePorts } from "./free-port.js";
import { LocalBroker, stopEpmd } from "./local-broker.js";
import { waitForStomp } from "./stomp-probe.js";

export interface LocalClusterOptions {
  log: Logger;
  /** Nodes; 3 unless told (a quorum queue survives the loss of a minority). */
  size?: number;
  bootTimeoutMs?: number;
}

/**
 * Private RabbitMQ nodes on this machine made one cluster: each its own ports and data dir, all registered with
 * one epmd and sharing one Erlang cookie. The first node boots alone; the others boot beside it and join it with
 * `rabbitmqctl join_cluster`. Stopped, it leaves no process, epmd or directory behind.
 */
export class LocalCluster {
  private constructor(
    readonly nodes: readonly LocalBroker[],
    private readonly epmdPort: number,
    /** Milliseconds from the first spawn to every node running in the cluster. */
    readonly bootMs: number,
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const { log } = options;
    const size = options.size ?? 3;
    const started = Date.now();
    // Every port at once: nodes picking theirs side by side could be handed the same one.
    const [epmd = 0, ...ports] = await freePorts(1 + 4 * size);
    const shared = { epmdPort: epmd, cookie: randomBytes(20).toString("hex") };
    const booting = Array.from({ length: size }, (_, i) => {
      const [stomp = 0, amqp = 0, management = 0, dist = 0] = ports.slice(4 * i, 4 * i + 4);
      return LocalBroker.start({
        log,
        cluster: shared,
        ports: { stomp, amqp, management, dist, epmd },
        bootTimeoutMs: options.bootTimeoutMs,
      });
    });
    const settled = await Promise.allSettled(booting);
    const nodes = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const cluster = new LocalCluster(nodes, shared.epmdPort, 0);
    try {
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      const [seed, ...joiners] = nodes as [LocalBroker, ...LocalBroker[]];
      // Joins one at a time (two at once can each reset against a membership the other is changing); the
      // slow part, starting the application again, side by side.
      for (const node of joiners) {
        await node.ctl(["stop_app"]);
        await node.ctl(["join_cluster", seed.nodeName]);
      }
      await Promise.all(
        joiners.map(async (node) => {
          await node.ctl(["start_app"]);
          await waitForStomp(node.host, node.stompPort, node.user, node.password, 60_000, () => undefined);
        }),
      );
      const running = await seed.runningNodes();
      const missing = nodes.filter((n) => !running.includes(n.nodeName)).map((n) => n.nodeName);
      if (missing.length > 0) throw new Error(`nodes ${missing.join(", ")} are not running in the cluster`);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    const bootMs = Date.now() - started;
    log.info(
      `Broker: ${size}-node RabbitMQ cluster ready in ${(bootMs / 1000).toFixed(1)}[s]: ` +
        nodes.map((n) => `${n.nodeName} (STOMP ${n.stompPort})`).join(", "),
    );
    return new LocalCluster(nodes, shared.epmdPort, bootMs);
  }

  /** The management UI (any node's shows the whole cluster). */
  get managementUrl(): string {
    return (this.nodes[0] as LocalBroker).managementUrl;
  }

  /** Every node's STOMP listener, as BROKER_ADDRESSES says them. */
  get addresses(): string {
    return this.nodes.map((n) => `${n.host}:${n.stompPort}`).join(",");
  }

  /** Stops every node (a frozen one too), then their epmd. Safe to call twice. */
  async stop(): Promise<void> {
    for (const node of this.nodes) node.resume();
    await Promise.all(this.nodes.map((node) => node.stop()));
    await stopEpmd(this.epmdPort);
  }
}
