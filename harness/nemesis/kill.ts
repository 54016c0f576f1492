import { monotonicMs } from "../../src/events/event-log.js";
import type { OpValue } from "../history/operations.js";
import { type Nemesis, NotLanded, provenByOperation } from "./nemesis.js";
import { awaitState, signalLive } from "./process-state.js";

/**
 * SIGKILL: the process dies at once and the kernel resets its TCP connections, so the broker notices at once.
 * Proven when /proc shows the process dead (a zombie or reaped).
 */
export const kill: Nemesis = {
  name: "kill",
  summary: "SIGKILL a worker process",
  redelivers: true,
  silences: true,
  needs: "holding-job",
  chaos: { targets: "unhealthy", triggers: ["job-delivered", "result-sent", "result-receipt"] },
  attemptOutcome: "crashed",
  // The reset is seen at once; should it be lost, missed heart-beats tell the broker within one period.
  boundMs: (heartbeatMs) => heartbeatMs,
  describe: (targets) => `Simulating workers crash. Killing ${targets.length} workers.`,
  async inject(target): Promise<OpValue> {
    const sent = monotonicMs();
    if (!signalLive(target.pid, "SIGKILL")) throw new NotLanded(`process ${target.pid} had already exited`);
    const dead = await awaitState(target.pid, (s) => s === undefined || s === "Z" || s === "X", 5000);
    if (dead === undefined) return { signalled: "SIGKILL" };
    return { dead: `dead ${Math.round(dead - sent)} ms after SIGKILL`, effectAt: sent };
  },
  prove: (fault) => provenByOperation(fault, "dead"),
};
