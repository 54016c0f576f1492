import { setLinkEnabled } from "./link-toxics.js";
import { type Nemesis, workerNames } from "./nemesis.js";

/** The hard partition: the link's proxy is disabled, its connections closed and new ones refused. */
export const cut: Nemesis = {
  name: "cut",
  summary: "a link is cut: connections closed, new ones refused (proxy disabled)",
  redelivers: true,
  attemptOutcome: "cut-off",
  boundMs: (heartbeatMs) => 2.5 * heartbeatMs,
  describe: (targets) => `Simulating network cut. Link of ${workerNames(targets)} is down.`,
  inject: (target, ctx) => setLinkEnabled(target, ctx, false),
  heal: (target, ctx) => setLinkEnabled(target, ctx, true),
};
