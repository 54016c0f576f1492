import { runMain } from "../../src/cli/run-main.js";
import { loadSettings, type Settings } from "../../src/config/settings.js";
import { createLogger, type Logger } from "../../src/log/logger.js";
import type { ResultCollector } from "../../src/server/result-collector.js";
import { EncoreServer } from "../../src/server/server.js";
import type { Worker } from "../../src/worker/worker.js";

/** Runs a deliberately broken worker as the product's worker entry would run the real one. */
export function runFaultyWorker(Kind: new (settings: Settings, log: Logger) => Worker): void {
  runMain(async () => {
    const worker = new Kind(loadSettings(process.argv.slice(2)), createLogger());
    await worker.start();
    return () => worker.stop();
  });
}

/** Runs the product's server with a deliberately broken result collector. */
export function runFaultyServer(Collector: typeof ResultCollector): void {
  runMain(async () => {
    const server = await EncoreServer.start(loadSettings(process.argv.slice(2)), createLogger(), Collector);
    return () => server.stop();
  });
}
