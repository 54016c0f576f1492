import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import type { JobMessage } from "../../src/messages/job-message.js";
import type { Delivery } from "../../src/stomp/link.js";
import type { StompSession } from "../../src/stomp/session.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty.js";

/**
 * A deliberately broken worker: when an ACK's RECEIPT never comes (the link died), it sends the ACK again on
 * the next connection, "to be sure". The broker may already have it, and on the new connection the old ack id
 * names another delivery, or none. Scenarios with workers.kind "retries-ack" run it.
 */
class RetriesAckWorker extends Worker {
  private readonly waiting: ((session: StompSession) => void)[] = [];

  constructor(settings: Settings, log: Logger) {
    super(settings, log);
    this.link.onConnect((session) => {
      for (const resolve of this.waiting.splice(0)) resolve(session);
    });
  }

  protected override async ackJob(delivery: Delivery, job: JobMessage): Promise<void> {
    try {
      await super.ackJob(delivery, job);
    } catch {
      const session = await new Promise<StompSession>((resolve) => this.waiting.push(resolve));
      await session.ack(delivery.headers);
    }
  }
}

runFaultyWorker(RetriesAckWorker);
