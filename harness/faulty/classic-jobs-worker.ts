import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import { destinations } from "../../src/messages/destinations.js";
import { Worker } from "../../src/worker/worker.js";
import { declareJobsClassic } from "./classic-job-queue.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it subscribes to the job queue as a classic queue, one node's, which a cluster
 * loses with that node. Scenarios with workers.kind "classic-jobs" run it (with the server of the same kind).
 */
class ClassicJobsWorker extends Worker {
  constructor(settings: Settings, log: Logger) {
    super(settings, log);
    declareJobsClassic(this.link, destinations(settings.queuePrefix).jobs);
  }
}

runFaultyWorker(ClassicJobsWorker);
