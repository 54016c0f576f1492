import type { WireFrame } from "../wire/wire-query.js";
import type { WireEvent } from "../wire/wire-tap.js";

export type AttemptOutcome =
  | "acked"
  | "cut-off"
  | "stale-ack"
  | "nacked"
  | "cancelled"
  | "dead-lettered"
  | "crashed"
  | "frozen"
  | "unfinished";

/** One delivery of a chunk to a worker, as the broker sent it, and how it ended on the wire. */
export interface DeliveryAttempt {
  /** The worker's own id where the harness learned it, else its link. For people. */
  worker: string;
  /** The link it came over ("worker-3"). */
  link: string;
  /** The tap's connection number. */
  connection: string;
  /** The cluster node the connection went to ("node-2"), when the broker is a cluster. */
  node?: string;
  /** ms since the run started (monotonic). */
  at: number;
  endedAt?: number;
  redelivered: boolean;
  deliveryCount: number;
  outcome: AttemptOutcome;
}

/** Everything that happened to one chunk, from the wire alone. */
export interface ChunkLedger {
  job: number;
  music: number;
  chunk: number;
  /** Job SENDs from the server that reached the broker. */
  published: number;
  /** When (ms since the start) each of those SENDs went out that never had a RECEIPT back: a broker crash after
   * one may have lost it. */
  unconfirmedAt: number[];
  deliveries: DeliveryAttempt[];
  /** ACKs that reached the broker on the connection that delivered the job. */
  acks: number;
  /** Result SENDs that reached the broker, and those the broker confirmed with a RECEIPT. */
  resultsPublished: number;
  resultsReceipted: number;
  /** Results of this job the server ACKed on the wire (the first is merged, the rest dropped). */
  resultsAcked: number;
  duplicatesDropped: number;
}

/** A fault as the harness did and proved it. */
export interface FaultRecord {
  fault: string;
  /** The worker's own id, for people. */
  worker: string | undefined;
  /** The target's link: "worker-3", "server" or "broker". */
  link: string;
  index: number;
  pid: number;
  /** When it was proven to have taken effect (ms since the start); the operation's time if it was not. */
  at: number;
  healedAt?: number;
  attemptOutcome?: AttemptOutcome;
  /** The song a fault aimed at one (a poison job), by its music id. */
  music?: number;
  /** The cluster node a node fault hit ("node-2"): the jobs delivered over its connections were held by it. */
  node?: string;
  /** Landed (with what was seen), or why it cannot count. */
  proof: { landed: true; effect: string } | { landed: false; why: string };
}

/** A chunk's frames on the wire, for a witness: every frame naming its job and every ACK or NACK of one of
 * its deliveries (on any connection), with times since the start. */
export function chunkWire(wire: readonly WireEvent[], job: number, origin: number) {
  const frames = wire.filter((e): e is WireFrame => e.kind === "frame");
  const mine = (f: WireFrame) => f.headers["job-id"] === String(job);
  const ackIds = new Set(frames.filter((f) => mine(f) && f.headers.ack).map((f) => f.headers.ack));
  return frames
    .filter((f) => mine(f) || ((f.command === "ACK" || f.command === "NACK") && ackIds.has(f.headers.id)))
    .map((f) => ({
      at: Math.round(f.at - origin),
      link: f.link,
      connection: f.connection,
      frame: `${f.direction === "to-broker" ? "→" : "←"} ${f.command}${f.headers.destination ? ` ${f.headers.destination}` : ""}`,
      ...(f.headers.redelivered === "true" ? { redelivered: true } : {}),
      ...(f.headers.ack
        ? { ack: f.headers.ack }
        : f.headers.id && f.command !== "SUBSCRIBE"
          ? { id: f.headers.id }
          : {}),
    }));
}
