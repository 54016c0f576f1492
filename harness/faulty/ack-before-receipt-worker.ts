import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it publishes a job's result and ACKs the job without waiting for the result's
 * RECEIPT. If the broker dies before it has stored the result, the ACK may survive and the chunk is lost.
 * Scenarios with workers.kind "ack-before-receipt" run it.
 */
class AckBeforeReceiptWorker extends Worker {
  constructor(settings: Settings, log: Logger) {
    super(settings, log);
    const publish = this.link.publish.bind(this.link);
    this.link.publish = (destination, headers, body) => {
      publish(destination, headers, body).catch((error: Error) =>
        log.error(`${this.name}: ${error.message}`),
      );
      // Resolves once the SEND is on its way, before its RECEIPT can come back.
      return new Promise((resolve) => setImmediate(resolve));
    };
  }
}

runFaultyWorker(AckBeforeReceiptWorker);
