import { crashNode, nodeParam, provenOnNode, restartNode } from "./cluster-node.js";
import type { Nemesis } from "./nemesis.js";

/** A killed node's sockets close at once; the taps must see its client connections go within this. */
export const NODE_CLOSE_WITHIN_MS = 2000;

/**
 * How long a job held over a lost node may take to be handed out again: the client notices within two
 * heart-beats, reconnects to the next node within a second (RECONNECT_MAX_MS in the harness) and subscribes,
 * and a queue whose leader was on the node needs an election first (Raft: a few seconds).
 */
export const clusterFailoverBoundMs = (heartbeatMs: number) => 3 * heartbeatMs + 10_000;

/**
 * kill -9 of one cluster node (params.node, 1-based), restarted on its data when healed. Its clients must fail
 * over to the other nodes, and the quorum queues keep every confirmed message on the majority left. Proven on
 * the wire: every client connection to that node closed at once.
 */
export const nodeCrash: Nemesis = {
  name: "node-crash",
  summary: "kill -9 one node of the cluster (params.node); restart it on its data when healed",
  redelivers: true,
  needs: "holding-job",
  forgetsCounters: "node",
  boundMs: clusterFailoverBoundMs,
  describe: () => "Simulating node crash. kill -9 one RabbitMQ node.",
  inject: async (_target, ctx) => crashNode(nodeParam(ctx)),
  heal: async (_target, ctx) => restartNode(nodeParam(ctx)),
  prove: (fault, wire) => provenOnNode(fault, wire, "kill -9", NODE_CLOSE_WITHIN_MS, false),
};
