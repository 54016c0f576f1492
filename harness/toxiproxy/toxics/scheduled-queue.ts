import { performance } from "node:perf_hooks";
import type { StreamItem } from "./toxic.js";

/**
 * Hands items on in order, none before its due time (performance.now() ms). The toxics that hold data
 * (latency, bandwidth, slicer, slow_close) keep it here, so an interrupt can release it all at once.
 */
export class ScheduledQueue {
  private items: { item: StreamItem; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly forward: (item: StreamItem) => void) {}

  /** When the last queued item is due; -Infinity when empty. */
  get lastDue(): number {
    return this.items.at(-1)?.due ?? Number.NEGATIVE_INFINITY;
  }

  /** A due time earlier than the last item's is moved up to it: nothing overtakes. Infinity holds. */
  add(item: StreamItem, due: number): void {
    this.items.push({ item, due: Math.max(due, this.lastDue) });
    this.pump();
  }

  flush(): void {
    this.cancelTimer();
    const items = this.items;
    this.items = [];
    for (const { item } of items) this.forward(item);
  }

  clear(): void {
    this.cancelTimer();
    this.items = [];
  }

  private pump(): void {
    if (this.timer) return;
    while (this.items.length > 0) {
      const wait = this.items[0].due - performance.now();
      if (wait > 0) {
        // Timers can fire a little early against performance.now(); pump() re-arms until really due.
        if (wait !== Number.POSITIVE_INFINITY) this.timer = setTimeout(() => this.tick(), Math.ceil(wait));
        return;
      }
      const head = this.items.shift();
      if (head) this.forward(head.item);
    }
  }

  private tick(): void {
    this.timer = undefined;
    this.pump();
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
