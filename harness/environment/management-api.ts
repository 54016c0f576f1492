import type { BrokerHandle } from "./broker-environment.js";

/** The broker's own view of a queue: the oracle that does not depend on Encore's logs. */
export interface QueueStats {
  queue: string;
  ready: number;
  unacked: number;
  publish: number;
  deliver: number;
  redeliver: number;
  ack: number;
}

interface QueueJson {
  messages_ready?: number;
  messages_unacknowledged?: number;
  message_stats?: {
    publish?: number;
    deliver?: number;
    deliver_get?: number;
    redeliver?: number;
    ack?: number;
  };
}

export async function queueStats(broker: BrokerHandle, queue: string): Promise<QueueStats | undefined> {
  const url = `${broker.managementUrl}/api/queues/%2F/${encodeURIComponent(queue)}`;
  const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
  const res = await fetch(url, {
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`management API ${url}: HTTP ${res.status}`);
  const q = (await res.json()) as QueueJson;
  const stats = q.message_stats ?? {};
  return {
    queue,
    ready: q.messages_ready ?? 0,
    unacked: q.messages_unacknowledged ?? 0,
    publish: stats.publish ?? 0,
    deliver: stats.deliver ?? 0,
    redeliver: stats.redeliver ?? 0,
    ack: stats.ack ?? 0,
  };
}

/**
 * Counters are sampled and aggregated with a lag (a run once read "ack 9" of 12 ACKs the wire shows, from two
 * equal readings 1.2 s apart): wait until every queue's reading has stayed the same for `stableMs` and those in
 * `toDrain` are empty, or the time is up; return the last readings (undefined for a queue that does not exist).
 */
export async function settledQueueStats(
  broker: BrokerHandle,
  queues: readonly string[],
  toDrain: readonly string[],
  stableMs = 3000,
  timeoutMs = 20_000,
): Promise<(QueueStats | undefined)[]> {
  const deadline = Date.now() + timeoutMs;
  const read = () => Promise.all(queues.map((q) => queueStats(broker, q)));
  let last = await read();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const next = await read();
    if (JSON.stringify(next) !== JSON.stringify(last)) since = Date.now();
    last = next;
    const drained = next.every((q) => !q || !toDrain.includes(q.queue) || (q.ready === 0 && q.unacked === 0));
    if ((drained && Date.now() - since >= stableMs) || Date.now() > deadline) return last;
  }
}

/**
 * Quiescence before judging: waits (while every process still runs) until each queue has been seen empty twice
 * in a row, so work still queued (say, jobs published again after a server restart) is done rather than cut
 * off. Returns the queues that still held messages when the time ran out.
 */
export async function awaitDrained(
  broker: BrokerHandle,
  queues: readonly string[],
  timeoutMs: number,
): Promise<QueueStats[]> {
  const deadline = Date.now() + timeoutMs;
  let emptyReadings = 0;
  for (;;) {
    const stats = (await Promise.all(queues.map((q) => queueStats(broker, q).catch(() => undefined)))).filter(
      (s): s is QueueStats => s !== undefined,
    );
    const busy = stats.filter((s) => s.ready + s.unacked > 0);
    emptyReadings = busy.length === 0 ? emptyReadings + 1 : 0;
    if (emptyReadings >= 2 || Date.now() > deadline) return busy;
    await new Promise((r) => setTimeout(r, 500));
  }
}
