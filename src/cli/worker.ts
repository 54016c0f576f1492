import { loadSettings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { startTracing } from "../tracing/tracing.js";
import { Worker } from "../worker/worker.js";
import { runMain } from "./run-main.js";

/** One worker process with one STOMP connection (`npm run workers` starts many of these). */
runMain(async () => {
  const tracing = await startTracing("encore-worker");
  const worker = new Worker(loadSettings(process.argv.slice(2)), createLogger());
  await worker.start();
  return async () => {
    await worker.stop();
    await tracing.shutdown();
  };
});
