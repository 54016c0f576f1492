import { loadSettings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { EncoreServer } from "../server/server.js";
import { startTracing } from "../tracing/tracing.js";
import { runMain } from "./run-main.js";

runMain(async () => {
  const tracing = await startTracing("encore-server");
  const server = await EncoreServer.start(loadSettings(process.argv.slice(2)), createLogger());
  return async () => {
    await server.stop();
    await tracing.shutdown();
  };
});
