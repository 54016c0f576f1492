import { EmbeddedCluster } from "../cluster/embedded-cluster.js";
import { createLogger } from "../log/logger.js";
import { runMain } from "./run-main.js";

/** `npm start`: a private RabbitMQ, the server and the workers as real processes; Ctrl-C stops all of it. */
runMain(async () => {
  const log = createLogger();
  const cluster = await EmbeddedCluster.start(process.argv.slice(2), log, (line) =>
    process.stdout.write(`${line}\n`),
  );
  log.info(
    `Encore is running: open ${cluster.url} (management UI ${cluster.broker.managementUrl}); Ctrl-C stops everything`,
  );
  return async () => {
    log.info("Stopping Encore...");
    await cluster.stop();
  };
});
