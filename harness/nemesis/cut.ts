import { type Nemesis, workerNames } from "./nemesis.js";

/** The hard partition: the link's proxy is disabled, its connections closed and new ones refused. */
export const cut: Nemesis = {
  name: "cut",
  summary: "a link is cut: connections closed, new ones refused (proxy disabled)",
  redelivers: true,
  attemptOutcome: "cut-off",
  boundMs: (heartbeatMs) => 2.5 * heartbeatMs,
  describe: (targets) => `Simulating network cut. Link of ${workerNames(targets)} is down.`,
  inject: async (target, ctx) => {
    const proxy = await ctx.proxies.get(target.link);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  },
  heal: async (target, ctx) => {
    const proxy = await ctx.proxies.get(target.link);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  },
};
