import { addBothWays, removeBothWays } from "./link-toxics.js";
import { type Nemesis, workerNames } from "./nemesis.js";

/**
 * A link that stops delivering while its TCP connection stays open, as a real partition does (Toxiproxy's
 * timeout toxic with timeout 0). Only missed heart-beats can tell; healing closes the stalled connection.
 */
export const partition: Nemesis = {
  name: "partition",
  summary: "a link stops delivering, its connection left open (timeout toxic, both ways)",
  redelivers: true,
  attemptOutcome: "cut-off",
  boundMs: (heartbeatMs) => 2.5 * heartbeatMs,
  describe: (targets) => `Simulating network partition. Link of ${workerNames(targets)} stops delivering.`,
  inject: (target, ctx) => addBothWays(target, ctx, "partition", "timeout", { timeout: 0 }),
  heal: (target, ctx) => removeBothWays(target, ctx, "partition"),
};
