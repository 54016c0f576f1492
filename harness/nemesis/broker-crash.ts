import type { OpValue } from "../history/operations.js";
import { openAt } from "../wire/wire-query.js";
import { type Nemesis, NotLanded } from "./nemesis.js";

/** A node killed -9 drops its connections at once; the tap must see them go within this. */
const CLOSE_WITHIN_MS = 2000;

/**
 * kill -9 of the broker, restarted on the same data when healed: persistent jobs must survive and every
 * process reconnect. Unacked jobs come back for redelivery. Proven on the wire: every connection the broker
 * had closed at once.
 */
export const brokerCrash: Nemesis = {
  name: "broker-crash",
  summary: "kill -9 the broker; restart it on the same data when healed",
  redelivers: true,
  forgetsCounters: "all",
  chaos: { targets: "broker", triggers: ["result-sent", "job-ack"], forSeconds: [20, 60] },
  describe: () => "Simulating broker crash. kill -9 RabbitMQ.",
  inject: async (_target, ctx) => {
    if (!ctx.broker.crash)
      throw new NotLanded(`the ${ctx.broker.kind} broker cannot be crashed and restarted by the harness`);
    await ctx.broker.crash();
    return { killed: true };
  },
  heal: async (_target, ctx): Promise<OpValue> => {
    const restarted = await ctx.broker.restart?.();
    if (!restarted) return { restarted: false };
    ctx.retargetBroker({ host: ctx.broker.host, port: restarted.stompPort });
    return { restarted: true, stompPort: restarted.stompPort, leaderless: restarted.leaderless.join(", ") };
  },
  prove(fault, wire) {
    const open = openAt(wire, fault.invokedAt);
    if (open.length === 0) return { landed: false, why: "no connection was open to the broker" };
    const survivors = open.filter(
      (c) => c.closedAt === undefined || c.closedAt > fault.invokedAt + CLOSE_WITHIN_MS,
    );
    if (survivors.length > 0)
      return { landed: false, why: `${survivors.length} connections stayed open after the kill -9` };
    const at = Math.min(...open.map((c) => c.closedAt ?? fault.at));
    return { landed: true, at, effect: `all ${open.length} connections to the broker dropped` };
  },
};
