import { runMain } from "../../src/cli/run-main.js";
import { loadSettings, type Settings } from "../../src/config/settings.js";
import { createLogger, type Logger } from "../../src/log/logger.js";
import type { Worker } from "../../src/worker/worker.js";

/** Runs a deliberately broken worker as the product's worker entry would run the real one. */
export function runFaultyWorker(Kind: new (settings: Settings, log: Logger) => Worker): void {
  runMain(async () => {
    const worker = new Kind(loadSettings(process.argv.slice(2)), createLogger());
    await worker.start();
    return () => worker.stop();
  });
}
