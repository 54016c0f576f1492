import { type Nemesis, signal } from "./nemesis.js";

/** SIGKILL: the process dies at once; the kernel resets its TCP connections, so the broker notices at once. */
export const kill: Nemesis = {
  name: "kill",
  summary: "SIGKILL a worker process",
  redelivers: true,
  attemptOutcome: "crashed",
  boundMs: () => 1000,
  describe: (targets) => `Simulating workers crash. Killing ${targets.length} workers.`,
  inject: (target) => void signal(target.pid, "SIGKILL"),
};
