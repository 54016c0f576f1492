import type { ReceivedJob } from "../../src/messages/job-message.js";
import type { Delivery } from "../../src/stomp/link.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it ACKs a job before doing it, the classic at-least-once trap. If it dies
 * mid-job the broker has nothing to redeliver and the chunk is lost. Scenarios with workers.kind
 * "ack-before-work" run it, to show that the harness's checks catch what they claim to catch.
 */
class AckBeforeWorkWorker extends Worker {
  protected override async process(
    delivery: Delivery,
    job: ReceivedJob,
    deliveryCount: number,
  ): Promise<void> {
    await this.ackJob(delivery, job);
    await this.work(delivery, job, deliveryCount);
  }
}

runFaultyWorker(AckBeforeWorkWorker);
