import { LocalBroker } from "../broker/local-broker.js";
import { LocalCluster } from "../broker/local-cluster.js";
import { loadSettings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { runMain } from "./run-main.js";

/**
 * A private RabbitMQ node (or, with BROKER_NODES above 1, a local cluster) for a real deployment's parts to point
 * at; prints the settings that reach it.
 */
runMain(async () => {
  const log = createLogger();
  const { brokerNodes } = loadSettings(process.argv.slice(2));
  if (brokerNodes > 1) {
    const cluster = await LocalCluster.start({ log, size: brokerNodes });
    log.info(`Broker: export BROKER_ADDRESSES=${cluster.addresses}`);
    log.info(`Broker: management UI ${cluster.managementUrl} (guest/guest); Ctrl-C stops every node`);
    return () => cluster.stop();
  }
  const broker = await LocalBroker.start({ log, dir: process.env.BROKER_DATA_DIR, supervise: true });
  log.info(`Broker: export BROKER_HOST=${broker.host} BROKER_STOMP_PORT=${broker.stompPort}`);
  log.info(`Broker: management UI ${broker.managementUrl} (guest/guest); Ctrl-C stops it`);
  return () => broker.stop();
});
