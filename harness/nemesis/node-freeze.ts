import { monotonicMs } from "../../src/events/event-log.js";
import { groupMembers } from "../../src/process/proc-stat.js";
import type { OpValue } from "../history/operations.js";
import { nodeParam } from "./cluster-node.js";
import { type Nemesis, NotLanded, provenByOperation } from "./nemesis.js";
import { clusterFailoverBoundMs } from "./node-crash.js";
import { processState } from "./process-state.js";

/** The longest a silent Erlang node goes unnoticed by the others at the default net_ticktime of 60 s. */
const NODE_DOWN_AFTER_MS = 75_000;

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
  // The queue hands back what a consumer on the stopped node held only once that node is back, or once the
  // others declare it down: Erlang's net_ticktime, 60 s by default, declares a silent node down after 45–75 s.
  boundMs: (heartbeatMs, healedAfterMs) =>
    Math.min(healedAfterMs ?? Number.POSITIVE_INFINITY, NODE_DOWN_AFTER_MS) +
    clusterFailoverBoundMs(heartbeatMs),
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
