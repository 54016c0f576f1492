import type { Delivery } from "../stomp/link.js";
import { headerText, messageHeaders } from "./dead-letter.js";
import { QUORUM_QUEUE } from "./destinations.js";
import { FAILURES_HEADER } from "./job-message.js";

/**
 * After a failed attempt: sends the job back to the end of its queue as a new message that carries its failure
 * count (receipted), and only then ACKs this delivery. The broker's own x-delivery-count cannot serve as that
 * count: RabbitMQ 3.10 raises it for every lost connection too. Both go on the connection that delivered the job:
 * once that is gone the broker gives the job to another worker with its count as it was, and a copy sent on a new
 * connection would start a second count beside it (seen in the soak, seed 6007: a frozen worker thawed and sent
 * its copy after the job had been redelivered; the poison went round 8 times).
 */
export async function requeueFailed(
  queue: string,
  delivery: Delivery,
  failures: number,
  reason: string,
): Promise<void> {
  const kept = messageHeaders(delivery);
  delete kept["x-delivery-count"];
  await delivery.publishHere(
    queue,
    {
      ...kept,
      ...QUORUM_QUEUE,
      persistent: "true",
      [FAILURES_HEADER]: String(failures),
      "x-encore-last-failure": headerText(reason),
    },
    delivery.body,
  );
  await delivery.ack();
}
