import { performance } from "node:perf_hooks";
import { ScheduledQueue } from "./scheduled-queue.js";
import { defineToxic } from "./toxic.js";

/** Passes at most `rate` KB/s (1 KB = 1000 bytes), in pieces of 100 ms worth so the flow is even. */
export const bandwidth = defineToxic<{ rate: number }>({
  type: "bandwidth",
  defaults: { rate: 0 },
  pipe(context, attributes) {
    const queue = new ScheduledQueue(context.forward);
    return {
      push(item) {
        const { rate } = attributes();
        if (!Buffer.isBuffer(item)) return queue.add(item, 0);
        // Toxiproxy's own loop never gets a chunk through at rate 0: the data is held until healed.
        if (rate <= 0) return queue.add(item, Number.POSITIVE_INFINITY);
        const piece = rate * 100;
        // A byte leaves 1/rate ms after the previous one; an idle link starts counting now.
        let clock = Math.max(performance.now(), queue.lastDue);
        for (let at = 0; at < item.length; at += piece) {
          const slice = item.subarray(at, at + piece);
          clock += slice.length / rate;
          queue.add(slice, clock);
        }
      },
      interrupt: () => queue.flush(),
      dispose: () => queue.clear(),
    };
  },
});
