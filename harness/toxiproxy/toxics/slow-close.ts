import { performance } from "node:perf_hooks";
import { ScheduledQueue } from "./scheduled-queue.js";
import { defineToxic } from "./toxic.js";

/** Data passes at once; the end of the stream (FIN or close) is held back `delay` ms. */
export const slowClose = defineToxic<{ delay: number }>({
  type: "slow_close",
  defaults: { delay: 0 },
  pipe(context, attributes) {
    const queue = new ScheduledQueue(context.forward);
    return {
      push(item) {
        queue.add(item, Buffer.isBuffer(item) ? 0 : performance.now() + attributes().delay);
      },
      interrupt: () => queue.flush(),
      dispose: () => queue.clear(),
    };
  },
});
