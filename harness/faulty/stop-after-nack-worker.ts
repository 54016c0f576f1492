import type { ReceivedJob } from "../../src/messages/job-message.js";
import type { Delivery } from "../../src/stomp/link.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: after its first failed job it NACKs and never takes another (its job loop
 * waits forever, as a worker whose error path forgets to release its slot does). Scenarios with workers.kind
 * "stop-after-nack" run it.
 */
class StopAfterNackWorker extends Worker {
  private failedOnce = false;

  protected override async process(
    delivery: Delivery,
    job: ReceivedJob,
    deliveryCount: number,
  ): Promise<void> {
    if (this.failedOnce) await new Promise(() => {});
    try {
      await super.process(delivery, job, deliveryCount);
    } catch (error) {
      this.failedOnce = true;
      throw error;
    }
  }
}

runFaultyWorker(StopAfterNackWorker);
