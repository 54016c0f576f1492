import { connectionLives, isFrame, openAt } from "../wire/wire-query.js";
import type { Checker } from "./checker.js";
import { detections } from "./detection.js";

/** What one node fault cost one client: how long from the fault until it was connected again elsewhere. */
interface Failover {
  fault: string;
  node: string;
  link: string;
  /** ms from the fault's proof to the broker's CONNECTED on the client's next connection; null: never. */
  reconnectedMs: number | null;
  /** The node that next connection went to. */
  to: string | null;
}

/**
 * Per landed node fault (a cluster node killed, frozen or cut off): every client that had a connection to that
 * node must be connected to another node (the broker's CONNECTED on a later connection of its link) before the
 * run ends,
 * and the jobs they held are taken back (the detection check's measure). Figures: how long each took.
 */
export const failover: Checker = {
  name: "failover",
  judgesFrom: ["wire", "operations"],
  title:
    "after a cluster node is lost, each of its clients connects again (to another node) and its jobs come back",
  check(input) {
    const nodeFaults = input.faults.filter((f) => f.proof.landed && f.node !== undefined);
    if (nodeFaults.length === 0) return { status: "pass", summary: "no node fault in this run" };
    const lives = [...connectionLives(input.wire).values()];
    const connectedAt = new Map<number, number>();
    for (const e of input.wire)
      if (isFrame(e) && e.command === "CONNECTED" && !connectedAt.has(e.connection))
        connectedAt.set(e.connection, e.at);
    const failovers: Failover[] = nodeFaults.flatMap((fault) => {
      const at = fault.at + input.origin;
      const cut = openAt(input.wire, at - 1).filter((c) => c.node === fault.node);
      return [...new Set(cut.map((c) => c.link))].map((link): Failover => {
        const next = lives
          // Another node: a client that waits for its own node to come back has not failed over.
          .filter(
            (c) =>
              c.link === link &&
              c.openedAt >= at - 1 &&
              c.node !== fault.node &&
              connectedAt.has(c.connection),
          )
          .sort((a, b) => (connectedAt.get(a.connection) ?? 0) - (connectedAt.get(b.connection) ?? 0))[0];
        const back = next && connectedAt.get(next.connection);
        return {
          fault: fault.fault,
          node: fault.node ?? "",
          link,
          reconnectedMs: back === undefined ? null : Math.round(back - at),
          to: next?.node ?? null,
        };
      });
    });
    const stranded = failovers.filter((f) => f.reconnectedMs === null);
    const redelivered = detections(input).filter(
      (d) =>
        d.detectionMs !== null &&
        nodeFaults.some((f) => f.fault === d.fault && Math.round(f.at) === d.faultAt),
    );
    const slowest = Math.max(0, ...failovers.map((f) => f.reconnectedMs ?? 0));
    const jobsBack = redelivered.map((d) => (d.redeliveredAt ?? 0) - d.faultAt);
    const first = stranded[0];
    return {
      status: stranded.length === 0 ? "pass" : "fail",
      summary: first
        ? `${first.link} lost ${first.node} (${first.fault}) and never connected to another node`
        : failovers.length === 0
          ? `${nodeFaults.map((f) => `${f.fault} of ${f.node}`).join(", ")}: no client was connected to it`
          : `${failovers.length} clients of ${[...new Set(failovers.map((f) => f.node))].join(", ")} connected again within ${slowest} ms (${failovers.map((f) => `${f.link} → ${f.to} ${f.reconnectedMs} ms`).join(", ")})` +
            (jobsBack.length > 0
              ? `; the ${jobsBack.length} jobs they held redelivered within ${Math.round(Math.max(...jobsBack))} ms`
              : ""),
      witness: stranded.length > 0 ? failovers : undefined,
      figures: {
        slowestReconnectMs: slowest,
        slowestRedeliveryMs: jobsBack.length > 0 ? Math.round(Math.max(...jobsBack)) : null,
      },
    };
  },
};
