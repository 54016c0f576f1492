import type { PlannedFault } from "../schedule/plan.js";
import { cut } from "./cut.js";
import type { Nemesis } from "./nemesis.js";

/**
 * A flapping link: cut and healed again and again on a seeded schedule (upMs and downMs ranges), for the
 * scheduled span. It plans itself into cuts; the cuts do the work.
 */
export const flap: Nemesis = {
  ...cut,
  name: "flap",
  // Its own schedule of cuts needs a time, not a frame: chaos draws cuts instead.
  chaos: undefined,
  summary: "cuts a link on and off on a seeded schedule (downMs 300–1500, upMs 500–2500 by default)",
  plan(fault: PlannedFault, random: () => number): PlannedFault[] {
    // A flap is a timed span; validation keeps wire triggers away from it.
    const start = fault.atMs ?? 0;
    const span = fault.forMs ?? 10_000;
    const pick = (lo: number, hi: number) => lo + random() * (hi - lo);
    const down = [fault.params.downMinMs ?? 300, fault.params.downMaxMs ?? 1500];
    const up = [fault.params.upMinMs ?? 500, fault.params.upMaxMs ?? 2500];
    const cuts: PlannedFault[] = [];
    for (let t = 0; t < span; ) {
      const length = Math.min(pick(down[0], down[1]), span - t);
      cuts.push({
        ...fault,
        fault: "cut",
        atMs: Math.round(start + t),
        forMs: Math.round(length),
      });
      t += length + pick(up[0], up[1]);
    }
    return cuts;
  },
};
