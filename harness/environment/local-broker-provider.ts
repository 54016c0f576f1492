import { copyFile } from "node:fs/promises";
import { LocalBroker } from "../../src/broker/local-broker.js";
import type { Logger } from "../../src/log/logger.js";
import { type BrokerHandle, type BrokerProvider, reportLeaderless } from "./broker-environment.js";

/** A private rabbitmq-server node as a child process (no Docker needed). */
export class LocalBrokerProvider implements BrokerProvider {
  readonly kind = "local" as const;

  async start(log: Logger): Promise<BrokerHandle> {
    const broker = await LocalBroker.start({ log });
    return {
      kind: this.kind,
      description: `local rabbitmq-server node (pid ${broker.pid}, STOMP 127.0.0.1:${broker.stompPort})`,
      host: broker.host,
      stompPort: broker.stompPort,
      managementUrl: broker.managementUrl,
      user: broker.user,
      password: broker.password,
      stop: () => broker.stop(),
      crash: () => broker.kill9(),
      restart: async () => {
        await broker.boot();
        return {
          stompPort: broker.stompPort,
          leaderless: reportLeaderless(log, await broker.electLeaderless()),
        };
      },
      setEnv: (env) => broker.setEnv(env),
      saveLog: (file) => copyFile(broker.logFile, file),
    };
  }
}
