import { type FaultTarget, type Nemesis, signal } from "./nemesis.js";

/** SIGKILL: the process dies at once, its TCP connections are reset by the kernel. */
export const kill: Nemesis = {
  name: "kill",
  summary: "SIGKILL a worker process",
  describe: (targets: readonly FaultTarget[]) =>
    `Simulating workers crash. Killing ${targets.length} workers.`,
  inject: (target) => void signal(target.pid, "SIGKILL"),
};
