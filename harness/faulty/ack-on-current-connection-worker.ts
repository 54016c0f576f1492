import type { Settings } from "../../src/config/settings.js";
import type { Logger } from "../../src/log/logger.js";
import type { ReceivedJob } from "../../src/messages/job-message.js";
import type { Delivery } from "../../src/stomp/link.js";
import type { StompSession } from "../../src/stomp/session.js";
import { Worker } from "../../src/worker/worker.js";
import { runFaultyWorker } from "./run-faulty-worker.js";

/**
 * A deliberately broken worker: it ACKs on whatever connection is up when its job is done, with the ack id
 * the old connection was given. After a reconnect, RabbitMQ resolves that id on the new connection and acks
 * the wrong message, or none. Scenarios with workers.kind "ack-on-current-connection" run it.
 */
class AckOnCurrentConnectionWorker extends Worker {
  private latest: StompSession | undefined;

  constructor(settings: Settings, log: Logger) {
    super(settings, log);
    this.link.onConnect((session) => {
      this.latest = session;
    });
  }

  protected override async ackJob(delivery: Delivery, _job: ReceivedJob): Promise<void> {
    if (!this.latest) throw new Error("no connection to ACK on");
    await this.latest.ack(delivery.headers);
  }
}

runFaultyWorker(AckOnCurrentConnectionWorker);
