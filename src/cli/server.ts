import { loadSettings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { EncoreServer } from "../server/server.js";
import { runMain } from "./run-main.js";

runMain(async () => {
  const server = await EncoreServer.start(loadSettings(process.argv.slice(2)), createLogger());
  return () => server.stop();
});
