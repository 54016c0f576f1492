import type { ReceivedDone } from "../../src/messages/result-message.js";
import { ResultCollector } from "../../src/server/result-collector.js";
import type { JobRecord } from "../../src/server/state-store.js";
import type { Delivery } from "../../src/stomp/link.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: it ACKs a result before it has saved it. Killed in between, it has told the
 * broker the result is taken while nothing is on disk: the chunk is lost for good. Scenarios with server.kind
 * "ack-before-save" run it, to show that the harness's checks catch it.
 */
class AckBeforeSaveCollector extends ResultCollector {
  protected override async take(result: ReceivedDone, job: JobRecord, delivery: Delivery): Promise<void> {
    await delivery.ack();
    await this.save(result, job, delivery);
  }
}

runFaultyServer(AckBeforeSaveCollector);
