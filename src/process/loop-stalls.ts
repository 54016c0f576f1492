import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * How late this process's event loop ran its timers, from now on: the heart-beats, receipts and HTTP answers
 * wait that long. Logged at a stop so that a stall (CPU work on the loop) shows in every run's log.
 */
export function watchLoopStalls(): { summary(): string } {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return {
    summary: () => {
      const ms = (ns: number) => (ns / 1e6).toFixed(0);
      return `longest event-loop stall ${ms(delay.max)} ms (p99 ${ms(delay.percentile(99))} ms)`;
    },
  };
}
