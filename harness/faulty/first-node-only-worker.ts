import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it keeps only the first of the cluster's addresses, as a client written for one
 * broker does, so when that node is lost it knocks on its door for ever. Scenarios with workers.kind
 * "first-node-only" run it.
 */
class FirstNodeOnlyWorker extends Worker {
  constructor(settings: Settings, log: Logger) {
    super({ ...settings, brokerAddresses: settings.brokerAddresses.slice(0, 1) }, log);
  }
}

runFaultyWorker(FirstNodeOnlyWorker);
