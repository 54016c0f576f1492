import { nodeParam, provenOnNode } from "./cluster-node.js";
import { setEnabled } from "./link-toxics.js";
import type { Nemesis } from "./nemesis.js";
import { clusterFailoverBoundMs } from "./node-crash.js";

/** A disabled proxy closes its connections at once; this much later they must be gone at the tap. */
const CLOSE_WITHIN_MS = 1000;

/**
 * Every client's link to one node (params.node) is cut: its proxies disabled, connections closed and new ones
 * refused, while the node itself runs on and stays in the cluster. The clients must fail over to the other
 * nodes. Proven on the wire: every connection to that node closed, and none reached it until healed.
 */
export const nodeCut: Nemesis = {
  name: "node-cut",
  summary: "cut every client's link to one node of the cluster (params.node); the node runs on",
  redelivers: true,
  needs: "holding-job",
  boundMs: clusterFailoverBoundMs,
  describe: () => "Simulating network cut. Every client's link to one RabbitMQ node is down.",
  async inject(_target, ctx) {
    const node = nodeParam(ctx);
    await setEnabled(await ctx.proxies.toNode(node.label), false);
    return { node: node.label, enabled: false };
  },
  async heal(_target, ctx) {
    const node = nodeParam(ctx);
    await setEnabled(await ctx.proxies.toNode(node.label), true);
    return { node: node.label, enabled: true };
  },
  prove: (fault, wire) => provenOnNode(fault, wire, "cut of every client link", CLOSE_WITHIN_MS, true),
};
