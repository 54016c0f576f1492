import { addBothWays, removeBothWays } from "./link-toxics.js";
import type { Nemesis } from "./nemesis.js";

/** Slow links (latency ± jitter, both ways): the cluster must finish with no spurious redelivery. */
export const latency: Nemesis = {
  name: "latency",
  summary: "adds latencyMs ± jitterMs (default 200 ± 100) to a link, both ways",
  redelivers: false,
  describe: (targets) => `Simulating slow network on ${targets.length} links.`,
  inject: (target, ctx) =>
    addBothWays(target, ctx, "latency", "latency", {
      latency: ctx.params.latencyMs ?? 200,
      jitter: ctx.params.jitterMs ?? 100,
    }),
  heal: (target, ctx) => removeBothWays(target, ctx, "latency"),
};
