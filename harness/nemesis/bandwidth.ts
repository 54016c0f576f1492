import { frameRateKBps, framesOn } from "../wire/wire-query.js";
import { addBothWays, removeBothWays } from "./link-toxics.js";
import type { Nemesis } from "./nemesis.js";

/** Frames this large take long enough at the asked rate for their own rate to be measured. */
const MEASURABLE_BYTES = 200_000;

/**
 * A squeezed link (rateKBps, default 500 KB/s, both ways): chunk transfers take seconds, nothing is lost.
 * Proven on the wire: the large frames that crossed the link while squeezed moved at no more than the rate.
 */
export const bandwidth: Nemesis = {
  name: "bandwidth",
  summary: "caps a link at rateKBps (default 500 KB/s), both ways",
  redelivers: false,
  // Fired mostly by a job reaching the worker, and long enough for its 2.8 MB result to cross squeezed: timed
  // squeezes that met no large frame were 10 of the 17 unknowns of a 30-minute soak.
  chaos: {
    targets: "unhealthy",
    triggers: ["job-delivered"],
    forSeconds: [250, 400],
    params: { rateKBps: [1000, 3000] },
  },
  describe: (targets) => `Simulating a bandwidth squeeze on ${targets.length} links.`,
  inject: (target, ctx) =>
    addBothWays(target, ctx, "bandwidth", "bandwidth", { rate: ctx.params.rateKBps ?? 500 }),
  heal: (target, ctx) => removeBothWays(target, ctx, "bandwidth"),
  prove(fault, wire) {
    const asked = Number(fault.observed.rate);
    // The heal lets what the toxic still holds go at once: a frame that ends after it was asked for was not
    // squeezed all the way (soak seed 5024: 2.8 MB at "4572 KB/s", its last bytes let go by the heal).
    const end = fault.healInvokedAt ?? fault.healedAt ?? Number.POSITIVE_INFINITY;
    // Only frames towards the broker have crossed the toxic when the tap sees them; the other way, the
    // proxy's buffers take a frame at full speed and squeeze it afterwards.
    const large = framesOn(wire, fault.link, "to-broker", fault.at, end).filter(
      (f) => f.bodyBytes >= MEASURABLE_BYTES && f.at <= end,
    );
    if (large.length === 0)
      return {
        landed: false,
        why: `no frame of ${MEASURABLE_BYTES / 1000} KB or more crossed ${fault.link} while squeezed`,
      };
    const fastest = Math.max(...large.map(frameRateKBps));
    // The toxic meters whole reads; a frame's own first and last byte can sit a little inside that.
    if (fastest > 1.25 * asked)
      return {
        landed: false,
        why: `a frame crossed ${fault.link} at ${Math.round(fastest)} KB/s, asked ${asked} KB/s`,
      };
    return {
      landed: true,
      at: fault.at,
      effect: `${large.length} large frames at most ${Math.round(fastest)} KB/s (asked ${asked} KB/s)`,
    };
  },
};
