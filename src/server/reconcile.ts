import type { Logger } from "../log/logger.js";
import { EPOCH_READ_ARGS, EPOCH_WAIT_MS } from "../messages/destinations.js";
import { within } from "../process/within.js";
import type { StompLink } from "../stomp/link.js";
import type { StateStore } from "./state-store.js";

/**
 * At the server's start: jobs it sent that the broker no longer holds are sent again. Every start announces the
 * epoch on a durable stream, so a broker that kept its data has one to give; one that has none was started on new
 * data (a lost volume, a wiped directory) and holds none of the jobs either. A broker that kept its data may still
 * have lost single jobs: their deadlines cover those. Resolves with how many jobs are to be sent again.
 */
export async function reconcile(
  store: StateStore,
  link: StompLink,
  epochs: string,
  log: Logger,
): Promise<number> {
  const pending = store.sentNotDone();
  if (pending.length === 0) return 0;
  if (await brokerKeptEpoch(link, epochs)) return 0;
  for (const job of pending) job.published = false;
  await store.save();
  const songs = new Set(pending.map((job) => job.music_id)).size;
  log.warn(
    `Server: the broker holds no epoch on ${epochs}: its data is new, so none of the ${pending.length} jobs sent and not done (${songs} songs) is queued - they are sent again`,
  );
  return pending.length;
}

/** Whether the epoch stream gives its last message within EPOCH_WAIT_MS (the subscription stays, and ACKs what comes). */
async function brokerKeptEpoch(link: StompLink, epochs: string): Promise<boolean> {
  let seen: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    seen = resolve;
  });
  await link.subscribe(epochs, EPOCH_READ_ARGS, (delivery) => {
    seen();
    delivery.ack().catch(() => {});
  });
  return within(first, EPOCH_WAIT_MS);
}
