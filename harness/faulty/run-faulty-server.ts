import { runMain } from "../../src/cli/run-main.js";
import { loadSettings } from "../../src/config/settings.js";
import { createLogger } from "../../src/log/logger.js";
import type { ResultCollector } from "../../src/server/result-collector.js";
import { EncoreServer } from "../../src/server/server.js";

/** Runs the product's server with a deliberately broken result collector. */
export function runFaultyServer(Collector: typeof ResultCollector): void {
  runMain(async () => {
    const server = await EncoreServer.start(loadSettings(process.argv.slice(2)), createLogger(), Collector);
    return () => server.stop();
  });
}
