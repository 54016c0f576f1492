import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: when its connection is lost it stops, still running but connected to
 * nothing, as a consumer without a reconnect loop does. Scenarios with workers.kind "no-reconnect" run it.
 */
class NoReconnectWorker extends Worker {
  constructor(settings: Settings, log: Logger) {
    super(settings, log);
    this.link.onLoss(() => {
      void this.link.close();
    });
  }
}

runFaultyWorker(NoReconnectWorker);
