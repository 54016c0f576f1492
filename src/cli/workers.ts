import { loadSettings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { WorkerFleet } from "../worker/fleet.js";
import { runMain } from "./run-main.js";

runMain(async () => {
  const fleet = new WorkerFleet(loadSettings(process.argv.slice(2)), createLogger());
  fleet.start();
  return () => fleet.stop();
});
