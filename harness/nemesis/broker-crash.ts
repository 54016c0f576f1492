import type { Nemesis } from "./nemesis.js";

/**
 * kill -9 of the broker, restarted on the same data when healed: persistent jobs must survive and every
 * process reconnect. Unacked jobs come back for redelivery.
 */
export const brokerCrash: Nemesis = {
  name: "broker-crash",
  summary: "kill -9 the broker; restart it on the same data when healed",
  redelivers: true,
  describe: () => "Simulating broker crash. kill -9 RabbitMQ.",
  inject: async (_target, ctx) => {
    if (!ctx.broker.crash)
      throw new Error(`the ${ctx.broker.kind} broker cannot be crashed and restarted by the harness`);
    await ctx.broker.crash();
  },
  heal: async (_target, ctx) => {
    const restarted = await ctx.broker.restart?.();
    if (restarted) await ctx.proxies.retarget(`${ctx.broker.host}:${restarted.stompPort}`);
  },
};
