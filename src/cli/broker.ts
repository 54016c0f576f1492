import { LocalBroker } from "../broker/local-broker.js";
import { createLogger } from "../log/logger.js";
import { runMain } from "./run-main.js";

/** A private RabbitMQ node for a real deployment's parts to point at; prints the settings that reach it. */
runMain(async () => {
  const log = createLogger();
  const broker = await LocalBroker.start({ log, dir: process.env.BROKER_DATA_DIR, supervise: true });
  log.info(`Broker: export BROKER_HOST=${broker.host} BROKER_STOMP_PORT=${broker.stompPort}`);
  log.info(`Broker: management UI ${broker.managementUrl} (guest/guest); Ctrl-C stops it`);
  return () => broker.stop();
});
