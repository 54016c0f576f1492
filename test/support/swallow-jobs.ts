import type { LocalBroker } from "../../src/broker/local-broker.js";
import { destinations, QUORUM_QUEUE } from "../../src/messages/destinations.js";
import type { StompLink } from "../../src/stomp/link.js";
import type { TestCluster } from "./test-cluster.js";
import { testLink } from "./test-link.js";

/**
 * A consumer that ACKs every job it gets and does nothing with it: a lost job, as when a worker ACKs before its
 * work and dies, or its result is dead-lettered. `ids` are the job ids it swallowed, in order; the caller closes
 * `link`.
 */
export async function swallowJobs(
  broker: LocalBroker,
  of: TestCluster,
): Promise<{ ids: string[]; link: StompLink }> {
  const link = testLink(broker);
  const ids: string[] = [];
  await link.start();
  await link.subscribe(
    destinations(of.settings.queuePrefix).jobs,
    { ack: "client-individual", "prefetch-count": "1", ...QUORUM_QUEUE },
    (delivery) => {
      ids.push(delivery.headers["job-id"] ?? "?");
      delivery.ack().catch(() => {});
    },
  );
  return { ids, link };
}
