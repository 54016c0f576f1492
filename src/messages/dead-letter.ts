import type { Delivery, StompLink } from "../stomp/link.js";

/** Headers the broker sets per delivery; they must not be copied into a new SEND. */
const DELIVERY_HEADERS = new Set([
  "subscription",
  "message-id",
  "ack",
  "destination",
  "content-length",
  "receipt",
  "redelivered",
]);

/**
 * Moves a message it cannot use to the dead-letter queue (receipted), then ACKs it, so it is kept for a person
 * to read and never blocks or loops the queue. The reason and origin travel as headers.
 */
export async function deadLetter(
  link: StompLink,
  queue: string,
  delivery: Delivery,
  reason: string,
  by: string,
): Promise<void> {
  const kept = Object.fromEntries(Object.entries(delivery.headers).filter(([k]) => !DELIVERY_HEADERS.has(k)));
  delete kept["x-queue-type"];
  await link.publish(
    queue,
    {
      ...kept,
      persistent: "true",
      "x-encore-reason": reason.replace(/[\r\n]+/g, " ").slice(0, 500),
      "x-encore-dead-lettered-by": by,
      "x-encore-original-destination": String(delivery.headers.destination ?? ""),
    },
    delivery.body,
  );
  await delivery.ack();
}
