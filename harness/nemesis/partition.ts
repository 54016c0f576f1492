import { framesOn } from "../wire/wire-query.js";
import { addBothWays, removeBothWays } from "./link-toxics.js";
import { type Nemesis, silentClientBoundMs, workerNames } from "./nemesis.js";

/** Bytes already inside the proxy when the toxic is added may still arrive this long after. */
const IN_FLIGHT_MS = 100;

/**
 * A link that stops delivering while its TCP connection stays open, as a real partition does (Toxiproxy's
 * timeout toxic with timeout 0). Only missed heart-beats can tell; healing closes the stalled connection.
 * Proven on the wire: no byte of the link reached the broker for longer than the client's heart-beat period.
 */
export const partition: Nemesis = {
  name: "partition",
  summary: "a link stops delivering, its connection left open (timeout toxic, both ways)",
  redelivers: true,
  needs: "holding-job",
  chaos: { targets: "unhealthy", triggers: ["job-delivered"], forSeconds: [450, 650] },
  attemptOutcome: "cut-off",
  boundMs: silentClientBoundMs,
  describe: (targets) => `Simulating network partition. Link of ${workerNames(targets)} stops delivering.`,
  inject: (target, ctx) => addBothWays(target, ctx, "partition", "timeout", { timeout: 0 }),
  heal: (target, ctx) => removeBothWays(target, ctx, "partition"),
  prove(fault, wire) {
    const end = fault.healedAt ?? Number.POSITIVE_INFINITY;
    const leaked = framesOn(wire, fault.link, "to-broker", fault.at + IN_FLIGHT_MS, end);
    if (leaked.length > 0)
      return {
        landed: false,
        why: `${leaked.length} frames of ${fault.link} still reached the broker (first: ${leaked[0].command} ${Math.round(leaked[0].firstAt - fault.at)} ms after the toxic)`,
      };
    const silentMs = Math.min(end, lastTapTime(wire)) - fault.at;
    if (silentMs < 1.5 * fault.heartbeatMs)
      return {
        landed: false,
        why: `only ${Math.round(silentMs)} ms of silence seen, too short to tell from the ${fault.heartbeatMs} ms heart-beat`,
      };
    return {
      landed: true,
      at: fault.at,
      effect: `no byte of ${fault.link} reached the broker for ${(silentMs / 1000).toFixed(1)} s (heart-beat ${fault.heartbeatMs} ms)`,
    };
  },
};

const lastTapTime = (wire: readonly { at: number }[]) => wire.reduce((t, e) => Math.max(t, e.at), 0);
