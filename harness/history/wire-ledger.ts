import { INJECTED } from "../nemesis/injected-message.js";
import { type ClassifiedFrame, FrameClassifier } from "../wire/frame-classifier.js";
import { connectionLives, isFrame, type WireFrame } from "../wire/wire-query.js";
import type { WireEvent } from "../wire/wire-tap.js";
import type { AttemptOutcome, ChunkLedger, DeliveryAttempt, FaultRecord } from "./ledger.js";

/** The queues the product uses, as STOMP destinations. */
export interface Queues {
  jobs: string;
  results: string;
}

/** An ACK or NACK that names a delivery its connection never received: it acks whatever RabbitMQ maps it to. */
export interface StrayAck {
  command: "ACK" | "NACK";
  link: string;
  connection: number;
  at: number;
  ackId: string;
  /** The delivery that ack id belongs to, on another connection, if any. */
  belongsTo?: { link: string; connection: number; job: number };
}

export interface WireLedger {
  chunks: ChunkLedger[];
  strayAcks: StrayAck[];
}

/** Messages that are no chunk's: those the harness injected (a poison job, a malformed result) and reports that a job failed. */
export const notAChunk = (f: WireFrame) =>
  f.headers[INJECTED] !== undefined || f.headers["encore-type"] === "job-failed";

/** The server's ACKs of a song's own results (no injected message, no failure report), in wire order. */
export function resultsTaken(
  wire: readonly WireEvent[],
  queues: Queues,
  musicId: number | null,
): ClassifiedFrame[] {
  const classifier = new FrameClassifier(queues);
  return wire
    .filter(isFrame)
    .filter((f) => !notAChunk(f))
    .map((f) => classifier.classify(f))
    .filter((c): c is ClassifiedFrame => c?.event === "result-ack" && c.music === musicId);
}

/** A job delivery as the ledger tracks it; only `attempt` goes into the chunk's record. */
interface Delivery {
  attempt: DeliveryAttempt;
  job: number;
  connection: number;
}

const jobOf = (f: WireFrame) => {
  const id = Number(f.headers["job-id"]);
  return Number.isInteger(id) && id > 0 ? id : undefined;
};

/**
 * Builds each chunk's ledger from the frames the harness's taps saw between the proxies and the broker: the
 * server's job SENDs, the broker's MESSAGEs to workers, the workers' ACKs and NACKs on the connection that
 * delivered, their result SENDs, and the server's ACKs of those results. Nothing the processes said about
 * themselves is used. Times are ms since `origin`.
 */
export function buildWireLedger(
  wire: readonly WireEvent[],
  queues: Queues,
  origin: number,
  faults: readonly FaultRecord[],
  workerIdOf: (link: string) => string | undefined,
): WireLedger {
  const frames = wire.filter(isFrame);
  const lives = connectionLives(wire);
  // When the broker closed its side of each connection: bytes written after that never reach it.
  const brokerClosedAt = new Map<number, number>();
  for (const e of wire)
    if (e.kind === "close" && e.direction === "from-broker" && !brokerClosedAt.has(e.connection))
      brokerClosedAt.set(e.connection, e.at);
  const chunks = new Map<number, ChunkLedger>();
  const entry = (job: number, f: WireFrame): ChunkLedger => {
    let c = chunks.get(job);
    if (!c) {
      c = {
        job,
        music: Number(f.headers["music-id"] ?? 0),
        chunk: Number(f.headers["chunk-index"] ?? -1),
        published: 0,
        unconfirmedAt: [],
        deliveries: [],
        acks: 0,
        resultsPublished: 0,
        resultsReceipted: 0,
        resultsAcked: 0,
        duplicatesDropped: 0,
      };
      chunks.set(job, c);
    }
    return c;
  };
  // Subscriptions per connection, so a MESSAGE's queue is known even where its destination header is absent.
  const subscribed = new Map<string, string>();
  const receiptsAsked = new Map<string, number>();
  const jobReceiptsAsked = new Map<string, { job: number; at: number }>();
  const receiptsBack = new Set<string>();
  for (const f of frames) {
    if (f.command === "SUBSCRIBE" && f.headers.id)
      subscribed.set(`${f.connection}/${f.headers.id}`, f.headers.destination ?? "");
    if (f.command === "RECEIPT") receiptsBack.add(`${f.connection}/${f.headers["receipt-id"]}`);
  }
  const destinationOf = (f: WireFrame) =>
    f.headers.destination ?? subscribed.get(`${f.connection}/${f.headers.subscription}`);

  const jobDeliveries = new Map<string, Delivery>();
  const resultDeliveries = new Map<string, { job: number; acked: boolean }>();
  const strayAcks: StrayAck[] = [];
  const allAckIds = new Map<string, Delivery>();
  // Deliveries that are no chunk's (notAChunk): their ACKs and NACKs are theirs, not strays.
  const notChunks = new Set<string>();

  for (const f of frames) {
    // Deliveries from other queues (the product's epoch stream) are no chunk's either.
    const elsewhere =
      f.command === "MESSAGE" && ![queues.jobs, queues.results].includes(destinationOf(f) ?? "");
    if (notAChunk(f) || elsewhere) {
      if (f.command === "MESSAGE" && f.headers.ack) notChunks.add(`${f.connection}/${f.headers.ack}`);
      continue;
    }
    if ((f.command === "ACK" || f.command === "NACK") && notChunks.has(`${f.connection}/${f.headers.id}`))
      continue;
    const job = jobOf(f);
    const at = f.at - origin;
    const destination = f.command === "SEND" || f.command === "MESSAGE" ? destinationOf(f) : undefined;
    if (f.command === "SEND" && job !== undefined && f.direction === "to-broker") {
      if (destination === queues.jobs) {
        entry(job, f).published++;
        if (f.headers.receipt) jobReceiptsAsked.set(`${f.connection}/${f.headers.receipt}`, { job, at });
        else entry(job, f).unconfirmedAt.push(at);
      } else if (destination === queues.results) {
        const c = entry(job, f);
        c.resultsPublished++;
        if (f.headers.receipt) receiptsAsked.set(`${f.connection}/${f.headers.receipt}`, job);
      }
    } else if (f.command === "MESSAGE" && job !== undefined && f.headers.ack) {
      const ackKey = `${f.connection}/${f.headers.ack}`;
      if (destination === queues.jobs) {
        const node = lives.get(f.connection)?.node;
        const attempt: DeliveryAttempt = {
          worker: workerIdOf(f.link) ?? f.link,
          link: f.link,
          connection: String(f.connection),
          ...(node === undefined ? {} : { node }),
          at,
          redelivered: f.headers.redelivered === "true",
          deliveryCount: Number(f.headers["x-delivery-count"] ?? 0),
          outcome: "unfinished",
        };
        const d: Delivery = { attempt, job, connection: f.connection };
        entry(job, f).deliveries.push(attempt);
        jobDeliveries.set(ackKey, d);
        allAckIds.set(f.headers.ack, d);
      } else if (destination === queues.results) {
        resultDeliveries.set(ackKey, { job, acked: false });
      }
    } else if ((f.command === "ACK" || f.command === "NACK") && f.headers.id) {
      const ackKey = `${f.connection}/${f.headers.id}`;
      const delivery = jobDeliveries.get(ackKey);
      const result = resultDeliveries.get(ackKey);
      const afterClose = f.at > (brokerClosedAt.get(f.connection) ?? Number.POSITIVE_INFINITY);
      if (delivery && delivery.attempt.outcome === "unfinished" && afterClose) {
        // A zombie's ACK, written after the broker had closed this connection: it never counted.
        delivery.attempt.outcome = "stale-ack";
        delivery.attempt.endedAt = at;
      } else if (delivery && delivery.attempt.outcome === "unfinished") {
        delivery.attempt.outcome = f.command === "ACK" ? "acked" : "nacked";
        delivery.attempt.endedAt = at;
        const chunk = chunks.get(delivery.job);
        if (chunk && f.command === "ACK") chunk.acks++;
      } else if (result && !result.acked) {
        result.acked = f.command === "ACK";
        const chunk = chunks.get(result.job);
        if (chunk && result.acked) chunk.resultsAcked++;
      } else if (!delivery && !result) {
        const other = allAckIds.get(f.headers.id);
        strayAcks.push({
          command: f.command,
          link: f.link,
          connection: f.connection,
          at,
          ackId: f.headers.id,
          belongsTo: other && { link: other.attempt.link, connection: other.connection, job: other.job },
        });
      }
    }
  }
  for (const [key, job] of receiptsAsked) {
    const chunk = chunks.get(job);
    if (chunk && receiptsBack.has(key)) chunk.resultsReceipted++;
  }
  for (const [key, { job, at }] of jobReceiptsAsked)
    if (!receiptsBack.has(key)) chunks.get(job)?.unconfirmedAt.push(at);

  // An attempt whose connection closed before its ACK ended there: by the fault on its link, if one was on.
  for (const { attempt, connection } of jobDeliveries.values()) {
    if (attempt.outcome !== "unfinished") continue;
    const closedAt = lives.get(connection)?.closedAt;
    if (closedAt === undefined) continue;
    attempt.endedAt = closedAt - origin;
    attempt.outcome = faultOutcome(faults, attempt, attempt.endedAt) ?? "cut-off";
  }
  for (const c of chunks.values()) c.duplicatesDropped = Math.max(0, c.resultsAcked - 1);
  return { chunks: [...chunks.values()].sort((a, b) => a.job - b.job), strayAcks };
}

function faultOutcome(
  faults: readonly FaultRecord[],
  d: DeliveryAttempt,
  endedAt: number,
): AttemptOutcome | undefined {
  const fault = faults.find(
    (f) =>
      f.attemptOutcome !== undefined &&
      (f.link === d.link || f.link === "broker") &&
      f.at >= d.at - 1 &&
      f.at <= endedAt + 1,
  );
  return fault?.attemptOutcome;
}
