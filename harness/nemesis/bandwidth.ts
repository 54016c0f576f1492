import { addBothWays, removeBothWays } from "./link-toxics.js";
import type { Nemesis } from "./nemesis.js";

/** A squeezed link (rateKBps, default 500 KB/s, both ways): chunk transfers take seconds, nothing is lost. */
export const bandwidth: Nemesis = {
  name: "bandwidth",
  summary: "caps a link at rateKBps (default 500 KB/s), both ways",
  redelivers: false,
  describe: (targets) => `Simulating a bandwidth squeeze on ${targets.length} links.`,
  inject: (target, ctx) =>
    addBothWays(target, ctx, "bandwidth", "bandwidth", { rate: ctx.params.rateKBps ?? 500 }),
  heal: (target, ctx) => removeBothWays(target, ctx, "bandwidth"),
};
