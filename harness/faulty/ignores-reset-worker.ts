import type { Delivery } from "../../src/stomp/link.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it never hears of a reset, so it works on the cancelled jobs of removed songs
 * and publishes their results, as if they were still wanted. Scenarios with workers.kind "ignores-reset".
 */
class IgnoresResetWorker extends Worker {
  protected override onControl(_delivery: Delivery): void {}
}

runFaultyWorker(IgnoresResetWorker);
