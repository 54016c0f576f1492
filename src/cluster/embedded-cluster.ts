import { resolve } from "node:path";
import { LocalBroker } from "../broker/local-broker.js";
import { LocalCluster } from "../broker/local-cluster.js";
import { loadSettings, type Settings, settingsEnv } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import { forwardLines } from "../process/forward-output.js";
import { spawnEntry, stopChild } from "../process/spawn-entry.js";
import { waitForHealth } from "../process/wait-for-health.js";
import { WorkerFleet } from "../worker/fleet.js";

/**
 * The whole cluster on one machine: a private RabbitMQ (its data in DATA_DIR/broker, restarted by itself should it
 * die), the server process and the worker processes.
 */
export class EmbeddedCluster {
  private constructor(
    readonly settings: Settings,
    readonly url: string,
    /** The broker node, or the first node of the cluster (BROKER_NODES above 1). */
    readonly broker: LocalBroker,
    private readonly stopParts: () => Promise<void>,
  ) {}

  static async start(
    argv: readonly string[],
    log: Logger,
    write: (line: string) => void,
  ): Promise<EmbeddedCluster> {
    const first = loadSettings(argv);
    const cluster =
      first.brokerNodes > 1 ? await LocalCluster.start({ log, size: first.brokerNodes }) : undefined;
    // Beside the server's data: a restart of npm start finds the jobs the server's ledger says it sent.
    const broker =
      cluster?.nodes[0] ??
      (await LocalBroker.start({ log, dir: resolve(first.dataDir, "broker"), supervise: true }));
    const stopBroker = () => (cluster ? cluster.stop() : broker.stop());
    try {
      const settings = loadSettings(argv, process.env, {
        brokerAddresses: cluster?.addresses ?? `${broker.host}:${broker.stompPort}`,
        // The original splits into one chunk per worker unless told otherwise.
        splitChunks: process.env.SPLIT_CHUNKS ?? String(first.workersHealthy + first.workersUnhealthy || 1),
      });
      const server = spawnEntry("server", [], { ...process.env, ...settingsEnv(settings) } as Record<
        string,
        string
      >);
      forwardLines(server.stdout, write);
      forwardLines(server.stderr, write);
      const fleet = new WorkerFleet(settings, log, write);
      fleet.start();
      const stopParts = async () => {
        await fleet.stop();
        await stopChild(server);
        await stopBroker();
      };
      const url = `http://${settings.serverHost}:${settings.serverPort}`;
      try {
        await waitForHealth(url, () => server.exitCode !== null, "its lines above");
      } catch (error) {
        await stopParts();
        throw error;
      }
      return new EmbeddedCluster(settings, url, broker, stopParts);
    } catch (error) {
      await stopBroker();
      throw error;
    }
  }

  stop(): Promise<void> {
    return this.stopParts();
  }
}
