import { type Nemesis, signal } from "./nemesis.js";

/** SIGSTOP until healed with SIGCONT: the process holds its connections but says nothing, not even heart-beats. */
export const freeze: Nemesis = {
  name: "freeze",
  summary: "SIGSTOP a worker process; SIGCONT when healed",
  redelivers: true,
  attemptOutcome: "frozen",
  boundMs: (heartbeatMs) => 2.5 * heartbeatMs,
  describe: (targets) => `Simulating workers freeze. Stopping ${targets.length} workers.`,
  inject: (target) => void signal(target.pid, "SIGSTOP"),
  heal: (target) => void signal(target.pid, "SIGCONT"),
};
