import { monotonicMs } from "../../src/events/event-log.js";
import { groupMembers } from "../../src/process/proc-stat.js";
import type { OpValue } from "../history/operations.js";
import { nodeParam } from "./cluster-node.js";
import { type Nemesis, NotLanded, provenByOperation } from "./nemesis.js";
import { clusterFailoverBoundMs } from "./node-crash.js";
import { processState } from "./process-state.js";

/** Whether every process of the group is stopped (state T), as /proc shows it. */
const allStopped = (group: number) => {
  const states = groupMembers(group).map(processState);
  return states.length > 0 && states.every((s) => s === "T" || s === "t" || s === "Z" || s === undefined);
};

/**
 * SIGSTOP of one node's processes (params.node) until healed with SIGCONT: it holds every socket and answers
 * nothing, not even heart-beats, so its clients must give up on it and fail over; its queue members stop
 * voting. Proven when /proc shows every process of the node stopped.
 */
export const nodeFreeze: Nemesis = {
  name: "node-freeze",
  summary: "SIGSTOP one node of the cluster (params.node); SIGCONT when healed",
  redelivers: true,
  needs: "holding-job",
  boundMs: clusterFailoverBoundMs,
  describe: () => "Simulating node freeze. SIGSTOP one RabbitMQ node.",
  async inject(_target, ctx): Promise<OpValue> {
    const node = nodeParam(ctx);
    const group = node.groupId;
    if (!node.freeze || group === undefined) throw new NotLanded(`${node.label} is not running here`);
    const sent = monotonicMs();
    if (!node.freeze()) throw new NotLanded(`${node.label}'s processes had already exited`);
    for (const deadline = sent + 2000; monotonicMs() < deadline; await new Promise((r) => setTimeout(r, 5)))
      if (allStopped(group))
        return {
          node: node.label,
          stopped: `every process of ${node.label} in state T ${Math.round(monotonicMs() - sent)} ms after SIGSTOP`,
          effectAt: sent,
        };
    return { node: node.label, signalled: "SIGSTOP" };
  },
  async heal(_target, ctx): Promise<OpValue> {
    const node = nodeParam(ctx);
    return { node: node.label, resumed: node.resume?.() ?? false };
  },
  prove: (fault) => provenByOperation(fault, "stopped"),
};
