import { copyFile } from "node:fs/promises";
import type { LocalBroker } from "../../src/broker/local-broker.js";
import { LocalCluster } from "../../src/broker/local-cluster.js";
import type { Logger } from "../../src/log/logger.js";
import type { BrokerHandle, BrokerNode, BrokerProvider } from "./broker-environment.js";

/**
 * Three private rabbitmq-server nodes made one cluster (no Docker needed). The handle tracks which nodes the
 * harness itself has killed or frozen, so the management API and the harness's own publishes go to one it has
 * not.
 */
export class LocalClusterProvider implements BrokerProvider {
  readonly kind = "cluster" as const;

  async start(log: Logger): Promise<BrokerHandle> {
    const cluster = await LocalCluster.start({ log });
    const down = new Set<LocalBroker>();
    const nodes: BrokerNode[] = cluster.nodes.map((broker, i) => ({
      label: `node-${i + 1}`,
      name: broker.nodeName,
      host: broker.host,
      stompPort: broker.stompPort,
      managementUrl: broker.managementUrl,
      get groupId() {
        return broker.groupId;
      },
      kill9: async () => {
        down.add(broker);
        await broker.kill9();
      },
      restart: async () => {
        await broker.boot();
        down.delete(broker);
      },
      freeze: () => {
        const stopped = broker.freeze();
        if (stopped) down.add(broker);
        return stopped;
      },
      resume: () => {
        const resumed = broker.resume();
        down.delete(broker);
        return resumed;
      },
    }));
    const up = () => cluster.nodes.find((n) => !down.has(n)) ?? (cluster.nodes[0] as LocalBroker);
    const first = cluster.nodes[0] as LocalBroker;
    return {
      kind: this.kind,
      description: `local ${nodes.length}-node RabbitMQ cluster (${nodes.map((n) => `${n.label} ${n.name}, STOMP ${n.stompPort}`).join("; ")}), booted in ${(cluster.bootMs / 1000).toFixed(1)} s`,
      nodes,
      host: first.host,
      get stompPort() {
        return up().stompPort;
      },
      get managementUrl() {
        return up().managementUrl;
      },
      user: first.user,
      password: first.password,
      stop: () => cluster.stop(),
      saveLog: async (file) => {
        // One file per node: broker.log, broker-node-2.log, …
        await Promise.all(
          cluster.nodes.map((n, i) =>
            copyFile(n.logFile, i === 0 ? file : file.replace(/\.log$/, `-node-${i + 1}.log`)),
          ),
        );
      },
    };
  }
}
