import type { ReceivedDone } from "../../src/messages/result-message.js";
import { ResultCollector } from "../../src/server/result-collector.js";
import type { JobRecord } from "../../src/server/state-store.js";
import type { Delivery } from "../../src/stomp/link.js";
import { runFaultyServer } from "./run-faulty-server.js";

/**
 * A deliberately broken server: it hands a duplicate result back to the broker (NACK) instead of ACKing and
 * dropping it, so the duplicate comes round again for ever. Scenarios with server.kind "requeues-duplicates".
 */
class RequeuesDuplicatesCollector extends ResultCollector {
  protected override alreadyTaken(): boolean {
    return false;
  }

  protected override async take(result: ReceivedDone, job: JobRecord, delivery: Delivery): Promise<void> {
    if (job.accepted) return delivery.nack();
    return super.take(result, job, delivery);
  }
}

runFaultyServer(RequeuesDuplicatesCollector);
