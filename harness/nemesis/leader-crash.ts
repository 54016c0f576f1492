import { queueLeader } from "../environment/management-api.js";
import { crashNode, provenOnNode, restartNode } from "./cluster-node.js";
import { type Nemesis, NotLanded } from "./nemesis.js";
import { clusterFailoverBoundMs, NODE_CLOSE_WITHIN_MS } from "./node-crash.js";

const queueName = (destination: string) => destination.replace(/^\/queue\//, "");

/**
 * kill -9 of the node that leads the job queue, as the management API names it just before (a classic queue's
 * home node, where a broken product declared one); restarted on its data when healed. The queue must elect a
 * leader among the others and lose nothing it confirmed. Proven on the wire: every client connection to that
 * node closed at once.
 */
export const leaderCrash: Nemesis = {
  name: "leader-crash",
  summary: "kill -9 the node that leads the job queue (asked of the management API); restart it when healed",
  redelivers: true,
  needs: "holding-job",
  forgetsCounters: "node",
  boundMs: clusterFailoverBoundMs,
  describe: () => "Simulating node crash. kill -9 the RabbitMQ node that leads the job queue.",
  async inject(_target, ctx) {
    const queue = queueName(ctx.queues.jobs);
    const asked = await queueLeader(ctx.broker, queue);
    if (!asked) throw new NotLanded(`the management API has no queue ${queue}`);
    const node = ctx.broker.nodes?.find((n) => n.name === asked.leader);
    if (!node) throw new NotLanded(`the job queue's leader ${asked.leader} is none of the cluster's nodes`);
    return crashNode(node, {
      leader: asked.leader,
      queueType: asked.type,
      members: asked.members.join(", "),
    });
  },
  async heal(_target, ctx) {
    const killed = ctx.broker.nodes?.find((n) => n.restart && n.groupId === undefined);
    return killed ? restartNode(killed) : { restarted: false };
  },
  prove: (fault, wire) =>
    provenOnNode(fault, wire, "kill -9 of the job queue's leader", NODE_CLOSE_WITHIN_MS, false),
};
