import { isJsonObject, type JsonObject } from "../json-object.js";
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

/** A count the management API gave, or 0 where it gave none (it leaves out what has not happened yet). */
const count = (o: JsonObject, key: string): number => {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`management API: ${key} is ${JSON.stringify(v)}`);
  return v;
};

/** One queue's resource on the management API, with the broker's credentials. */
async function queueRequest(
  broker: BrokerHandle,
  queue: string,
  method: "GET" | "DELETE",
): Promise<{ url: string; res: Response }> {
  const url = `${broker.managementUrl}/api/queues/%2F/${encodeURIComponent(queue)}`;
  const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
  const res = await fetch(url, {
    method,
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(5000),
  });
  return { url, res };
}

export async function queueStats(broker: BrokerHandle, queue: string): Promise<QueueStats | undefined> {
  const { url, res } = await queueRequest(broker, queue, "GET");
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`management API ${url}: HTTP ${res.status}`);
  const q: unknown = await res.json();
  if (!isJsonObject(q)) throw new Error(`management API ${url}: not a queue object`);
  const stats = isJsonObject(q.message_stats) ? q.message_stats : {};
  return {
    queue,
    ready: count(q, "messages_ready"),
    unacked: count(q, "messages_unacknowledged"),
    publish: count(stats, "publish"),
    deliver: count(stats, "deliver"),
    redeliver: count(stats, "redeliver"),
    ack: count(stats, "ack"),
  };
}

/**
 * The node that leads a queue, as the management API says: a quorum queue's `leader`, or a classic queue's home
 * `node` (it has no other copy). Undefined when the queue does not exist.
 */
export async function queueLeader(
  broker: BrokerHandle,
  queue: string,
): Promise<{ leader: string; members: string[]; type: string } | undefined> {
  const { url, res } = await queueRequest(broker, queue, "GET");
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`management API ${url}: HTTP ${res.status}`);
  const q: unknown = await res.json();
  if (!isJsonObject(q)) throw new Error(`management API ${url}: not a queue object`);
  const leader = typeof q.leader === "string" ? q.leader : q.node;
  if (typeof leader !== "string") throw new Error(`management API ${url}: the queue names no leader or node`);
  const members = Array.isArray(q.members) ? q.members.filter((m) => typeof m === "string") : [leader];
  return { leader, members, type: typeof q.type === "string" ? q.type : "unknown" };
}

/**
 * Cluster readiness: each quorum queue has a member on every node (a queue declared while a node was not yet in
 * the cluster never gets one). Waits up to `timeoutMs`; returns a line per queue for the timeline, and throws when
 * a quorum queue is still short of members. A queue of another type is the product's choice, for the checks to
 * judge: it is reported, not refused.
 */
export async function awaitReplicated(
  broker: BrokerHandle,
  queues: readonly string[],
  timeoutMs = 15_000,
): Promise<string[]> {
  const nodes = broker.nodes ?? [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await Promise.all(
      queues.map(async (q) => ({ queue: q, info: await queueLeader(broker, q) })),
    );
    const short = seen.filter(({ info }) => info?.type === "quorum" && info.members.length < nodes.length);
    if (short.length === 0 || Date.now() > deadline) {
      if (short[0])
        throw new Error(
          `quorum queue ${short[0].queue} has members ${short[0].info?.members.join(", ")}, not one on each of the ${nodes.length} nodes`,
        );
      return seen.map(({ queue, info }) =>
        !info
          ? `${queue}: not declared`
          : info.type === "quorum"
            ? `${queue}: quorum queue, leader ${info.leader}, ${info.members.length} members`
            : `${queue}: a ${info.type} queue on ${info.leader} only, not replicated`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
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
 * Deletes a run's queues once it has been read, so a broker shared by a suite or a soak does not carry every
 * earlier run's queues (each quorum queue is a Raft log of its own). A queue already gone is fine.
 */
export async function deleteQueues(broker: BrokerHandle, queues: readonly string[]): Promise<void> {
  for (const queue of queues) {
    const { url, res } = await queueRequest(broker, queue, "DELETE");
    if (!res.ok && res.status !== 404) throw new Error(`management API DELETE ${url}: HTTP ${res.status}`);
  }
}
