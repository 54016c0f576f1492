import type { WireEvent } from "./wire-tap.js";

/** How a link's subscription to a queue is known to be active. */
export type Subscribed =
  | { link: string; connection: number; how: "receipt"; at: number }
  /** The SUBSCRIBE asked for no RECEIPT: the wire shows it was sent, not that the broker acted on it. */
  | { link: string; connection: number; how: "sent"; at: number };

/**
 * Readiness the harness sees for itself: a link is subscribed to `destination` once the broker's RECEIPT for
 * that SUBSCRIBE came back on a connection still open. A worker's own "connected" line says nothing of when the
 * queue starts delivering to it; a fault aimed at the job it holds needs the queue to be delivering.
 */
export class SubscriptionWatch {
  private readonly asked = new Map<string, { link: string; connection: number }>();
  private readonly active = new Map<string, Subscribed>();
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly destination: string) {}

  readonly see = (event: WireEvent): void => {
    if (event.kind === "close") {
      if (this.active.get(event.link)?.connection === event.connection) this.active.delete(event.link);
      return;
    }
    if (event.kind !== "frame") return;
    const { link, connection, headers } = event;
    if (event.command === "SUBSCRIBE" && headers.destination === this.destination) {
      if (headers.receipt) this.asked.set(`${connection}/${headers.receipt}`, { link, connection });
      else this.mark({ link, connection, how: "sent", at: event.at });
    }
    if (event.command === "RECEIPT") {
      const key = `${connection}/${headers["receipt-id"]}`;
      const subscribe = this.asked.get(key);
      if (!subscribe) return;
      this.asked.delete(key);
      this.mark({ ...subscribe, how: "receipt", at: event.at });
    }
  };

  /** Links whose subscription is active now (or, with no receipt asked, at least sent). */
  get subscribed(): Subscribed[] {
    return [...this.active.values()];
  }

  /** Resolves once every link in `links` is subscribed; rejects naming the ones that are not by `timeoutMs`. */
  async all(links: string[], timeoutMs: number): Promise<Subscribed[]> {
    const missing = () => links.filter((link) => !this.active.has(link));
    const deadline = Date.now() + timeoutMs;
    while (missing().length > 0) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no confirmed subscription to ${this.destination} within ${timeoutMs / 1000} s on ${missing().join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return links.flatMap((link) => this.active.get(link) ?? []);
  }

  private mark(subscribed: Subscribed): void {
    this.active.set(subscribed.link, subscribed);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
