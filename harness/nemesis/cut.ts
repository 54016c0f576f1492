import { connectionLives, openAt } from "../wire/wire-query.js";
import { setLinkEnabled } from "./link-toxics.js";
import { type Nemesis, workerNames } from "./nemesis.js";

/** A disabled proxy closes its connections at once; this much later they must be gone at the broker's side. */
const CLOSE_WITHIN_MS = 1000;

/**
 * The hard partition: the link's proxy is disabled, its connections closed and new ones refused. Proven on the
 * wire: every connection of the link open at the cut closed, and none reached the broker until healed.
 */
export const cut: Nemesis = {
  name: "cut",
  summary: "a link is cut: connections closed, new ones refused (proxy disabled)",
  redelivers: true,
  chaos: {
    targets: "unhealthy",
    triggers: ["job-delivered", "result-sent", "job-ack"],
    forSeconds: [20, 200],
  },
  attemptOutcome: "cut-off",
  boundMs: (heartbeatMs) => 2.5 * heartbeatMs,
  describe: (targets) => `Simulating network cut. Link of ${workerNames(targets)} is down.`,
  inject: async (target, ctx) => {
    await setLinkEnabled(target, ctx, false);
    return { enabled: false };
  },
  heal: async (target, ctx) => {
    await setLinkEnabled(target, ctx, true);
    return { enabled: true };
  },
  prove(fault, wire) {
    // The proxy closes the connections while the API call is still answering: look from when it was asked.
    const open = openAt(wire, fault.invokedAt, fault.link);
    if (open.length === 0) return { landed: false, why: `${fault.link} had no connection open to cut` };
    const stillOpen = open.filter(
      (c) => c.closedAt === undefined || c.closedAt > fault.invokedAt + CLOSE_WITHIN_MS,
    );
    if (stillOpen.length > 0)
      return {
        landed: false,
        why: `connection ${stillOpen[0].connection} of ${fault.link} stayed open ${CLOSE_WITHIN_MS} ms after the cut`,
      };
    const end = fault.healedAt ?? Number.POSITIVE_INFINITY;
    const through = [...connectionLives(wire).values()].find(
      (c) => c.link === fault.link && c.openedAt > fault.invokedAt + CLOSE_WITHIN_MS && c.openedAt < end,
    );
    if (through)
      return {
        landed: false,
        why: `connection ${through.connection} of ${fault.link} got through while cut`,
      };
    const closedAt = Math.max(...open.map((c) => c.closedAt ?? fault.at));
    return {
      landed: true,
      at: Math.min(...open.map((c) => c.closedAt ?? fault.at)),
      effect: `${open.length} connection(s) of ${fault.link} closed within ${Math.round(closedAt - fault.invokedAt)} ms; none got through until healed`,
    };
  },
};
