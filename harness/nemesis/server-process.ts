import { monotonicMs } from "../../src/events/event-log.js";
import type { OpValue } from "../history/operations.js";
import type { PlannedFault } from "../schedule/plan.js";
import { type Nemesis, NotLanded, provenByOperation } from "./nemesis.js";
import { awaitState, signalLive } from "./process-state.js";

/** Without a `for`, the server comes back this soon: a song cannot finish without one. */
const DEFAULT_DOWN_MS = 1000;

/**
 * The server stopped by a signal and started again on the same data directory and port when healed: what it
 * had saved must be enough to finish every song exactly once. Proven when /proc shows the process gone.
 */
export function serverProcessFault(
  name: string,
  signal: "SIGKILL" | "SIGTERM",
  summary: string,
  waitMs: number,
): Nemesis {
  return {
    name,
    summary,
    redelivers: false,
    chaos: { targets: "server", triggers: ["job-sent", "result-ack"], forSeconds: [20, 60] },
    describe: () =>
      `Simulating server ${signal === "SIGKILL" ? "crash" : "restart"}. ${signal} to the server.`,
    async inject(target): Promise<OpValue> {
      if (target.index !== 0) throw new NotLanded(`${name} targets the server, not ${target.link}`);
      const sent = monotonicMs();
      if (!signalLive(target.pid, signal))
        throw new NotLanded(`server process ${target.pid} had already exited`);
      const gone = await awaitState(target.pid, (s) => s === undefined || s === "Z" || s === "X", waitMs);
      if (gone === undefined) return { signalled: signal };
      return { exited: `exited ${Math.round(gone - sent)} ms after ${signal}`, effectAt: sent };
    },
    async heal(_target, ctx): Promise<OpValue> {
      const { pid } = await ctx.restartServer();
      return { restarted: true, pid };
    },
    prove: (fault) => provenByOperation(fault, "exited"),
    plan: (fault: PlannedFault) => [{ ...fault, targets: [0], forMs: fault.forMs ?? DEFAULT_DOWN_MS }],
  };
}
