import type { Delivery, StompLink } from "../stomp/link.js";
import { QUORUM_QUEUE } from "./destinations.js";

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

/** The message's own headers, without the ones the broker set for this delivery. */
export function messageHeaders(delivery: Delivery): Record<string, string> {
  return Object.fromEntries(Object.entries(delivery.headers).filter(([k]) => !DELIVERY_HEADERS.has(k)));
}

/** A reason as one header value. */
export const headerText = (reason: string) => reason.replace(/[\r\n]+/g, " ").slice(0, 500);

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
  await link.publish(
    queue,
    {
      ...messageHeaders(delivery),
      ...QUORUM_QUEUE,
      persistent: "true",
      "x-encore-reason": headerText(reason),
      "x-encore-dead-lettered-by": by,
      "x-encore-original-destination": String(delivery.headers.destination ?? ""),
    },
    delivery.body,
  );
  await delivery.ack();
}
