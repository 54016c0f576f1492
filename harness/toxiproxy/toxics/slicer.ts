import { performance } from "node:perf_hooks";
import { ScheduledQueue } from "./scheduled-queue.js";
import { defineToxic } from "./toxic.js";

/**
 * Cuts each chunk in about half, recursively, until pieces are within average_size ± size_variation bytes,
 * and sends them `delay` microseconds apart.
 */
export const slicer = defineToxic<{ average_size: number; size_variation: number; delay: number }>({
  type: "slicer",
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  pipe(context, attributes) {
    const queue = new ScheduledQueue(context.forward);
    let nextFree = 0;
    return {
      push(item) {
        if (!Buffer.isBuffer(item)) return queue.add(item, 0);
        const { average_size, size_variation, delay } = attributes();
        const ends: number[] = [];
        cut(0, item.length, Math.max(0, average_size), Math.max(0, size_variation), context.random, ends);
        let start = 0;
        for (const end of ends) {
          const at = Math.max(performance.now(), nextFree);
          queue.add(item.subarray(start, end), at);
          nextFree = at + delay / 1000;
          start = end;
        }
      },
      interrupt() {
        queue.flush();
        nextFree = 0;
      },
      dispose: () => queue.clear(),
    };
  },
});

/** Appends the end offsets of the pieces of [start, end); a piece is never empty. */
function cut(
  start: number,
  end: number,
  average: number,
  variation: number,
  random: () => number,
  ends: number[],
) {
  if (end - start - average <= variation || end - start <= 1) {
    ends.push(end);
    return;
  }
  let mid = start + Math.floor((end - start) / 2);
  if (variation > 0) mid += Math.floor(random() * 2 * variation) - variation;
  mid = Math.min(end - 1, Math.max(start + 1, mid));
  cut(start, mid, average, variation, random, ends);
  cut(mid, end, average, variation, random, ends);
}
