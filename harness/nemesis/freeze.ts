import { monotonicMs } from "../../src/events/event-log.js";
import type { OpValue } from "../history/operations.js";
import { type Nemesis, NotLanded, provenByOperation, silentClientBoundMs } from "./nemesis.js";
import { awaitState, signalLive } from "./process-state.js";

/**
 * SIGSTOP until healed with SIGCONT: the process holds its connections but says nothing, not even heart-beats.
 * Proven when /proc shows it stopped (state T).
 */
export const freeze: Nemesis = {
  name: "freeze",
  summary: "SIGSTOP a worker process; SIGCONT when healed",
  redelivers: true,
  silences: true,
  needs: "holding-job",
  chaos: { targets: "unhealthy", triggers: ["job-delivered", "result-receipt"], forSeconds: [450, 650] },
  attemptOutcome: "frozen",
  boundMs: silentClientBoundMs,
  describe: (targets) => `Simulating workers freeze. Stopping ${targets.length} workers.`,
  async inject(target): Promise<OpValue> {
    const sent = monotonicMs();
    if (!signalLive(target.pid, "SIGSTOP")) throw new NotLanded(`process ${target.pid} had already exited`);
    const stopped = await awaitState(target.pid, (s) => s === "T" || s === "t", 2000);
    if (stopped === undefined) return { signalled: "SIGSTOP" };
    return { stopped: `in state T ${Math.round(stopped - sent)} ms after SIGSTOP`, effectAt: sent };
  },
  async heal(target): Promise<OpValue> {
    if (!signalLive(target.pid, "SIGCONT")) return { resumed: false };
    const running = await awaitState(target.pid, (s) => s !== "T" && s !== "t", 2000);
    return { resumed: running !== undefined };
  },
  prove: (fault) => provenByOperation(fault, "stopped"),
};
