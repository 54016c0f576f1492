import type { TriggerEvent } from "../scenario/scenario.js";
import type { WireRecord } from "./wire-tap.js";

export interface ClassifiedFrame {
  event: TriggerEvent;
  job: number;
  music: number;
  frame: WireRecord;
}

const idOf = (v: string | undefined) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/**
 * Names the frames of the exactly-once path as they go by, in wire order: which SEND is a job or a result,
 * which MESSAGE delivers which, which ACK settles which delivery (ack ids are per connection) and which
 * RECEIPT confirms which result. Fed every frame once, each at the moment the triggers see it.
 */
export class FrameClassifier {
  private readonly subscriptions = new Map<string, string>();
  private readonly deliveries = new Map<string, { kind: "job" | "result"; job: number; music: number }>();
  private readonly receipts = new Map<string, { job: number; music: number }>();

  constructor(private readonly queues: { jobs: string; results: string }) {}

  classify(f: WireRecord): ClassifiedFrame | undefined {
    const key = (id: string | undefined) => `${f.connection}/${id}`;
    const job = idOf(f.headers["job-id"]);
    const music = idOf(f.headers["music-id"]) ?? 0;
    const is = (event: TriggerEvent, ids: { job: number; music: number }): ClassifiedFrame => ({
      event,
      ...ids,
      frame: f,
    });
    if (f.command === "SUBSCRIBE" && f.headers.id) {
      this.subscriptions.set(key(f.headers.id), f.headers.destination ?? "");
      return undefined;
    }
    if (f.command === "SEND" && job !== undefined) {
      if (f.headers.destination === this.queues.jobs) return is("job-sent", { job, music });
      if (f.headers.destination === this.queues.results) {
        if (f.headers.receipt) this.receipts.set(key(f.headers.receipt), { job, music });
        return is("result-sent", { job, music });
      }
      return undefined;
    }
    if (f.command === "MESSAGE" && job !== undefined && f.headers.ack) {
      const destination = f.headers.destination ?? this.subscriptions.get(key(f.headers.subscription));
      const kind =
        destination === this.queues.jobs ? "job" : destination === this.queues.results ? "result" : undefined;
      if (!kind) return undefined;
      this.deliveries.set(key(f.headers.ack), { kind, job, music });
      return is(kind === "job" ? "job-delivered" : "result-delivered", { job, music });
    }
    if ((f.command === "ACK" || f.command === "NACK") && f.headers.id) {
      const d = this.deliveries.get(key(f.headers.id));
      if (!d) return undefined;
      if (d.kind === "result") return f.command === "ACK" ? is("result-ack", d) : undefined;
      return is(f.command === "ACK" ? "job-ack" : "job-nack", d);
    }
    if (f.command === "RECEIPT") {
      const r = this.receipts.get(key(f.headers["receipt-id"]));
      return r && is("result-receipt", r);
    }
    return undefined;
  }
}
