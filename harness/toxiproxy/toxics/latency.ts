import { performance } from "node:perf_hooks";
import { ScheduledQueue } from "./scheduled-queue.js";
import { defineToxic } from "./toxic.js";

/** Delays each chunk by latency ± jitter ms (uniform in [latency - jitter, latency + jitter)). */
export const latency = defineToxic<{ latency: number; jitter: number }>({
  type: "latency",
  defaults: { latency: 0, jitter: 0 },
  pipe(context, attributes) {
    const queue = new ScheduledQueue(context.forward);
    return {
      push(item) {
        const { latency, jitter } = attributes();
        const offset = jitter > 0 ? Math.floor(context.random() * 2 * jitter) - jitter : 0;
        // The end of the stream follows the data it closes without a delay of its own.
        const delay = Buffer.isBuffer(item) ? latency + offset : 0;
        queue.add(item, performance.now() + delay);
      },
      interrupt: () => queue.flush(),
      dispose: () => queue.clear(),
    };
  },
});
