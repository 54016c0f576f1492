import type { Stems } from "../pcm.js";
import type { SeparationEngine } from "./engine.js";

/**
 * No separation at all: the whole mix is `other`, the other three stems are silent. It is still a valid one
 * (the stems sum to the mix exactly, and each output sample is its own input sample, so radius 0) that costs
 * next to nothing, so a cluster running it measures its own cost per job rather than an engine's (the
 * job-overhead benchmark). It separates nothing, so it is left out wherever engines are compared
 * (SEPARATING_ENGINES).
 */
export const passthroughEngine: SeparationEngine = {
  name: "passthrough",
  radius: 0,
  separate(mix: Int16Array): Stems {
    return {
      drums: new Int32Array(mix.length),
      bass: new Int32Array(mix.length),
      vocals: new Int32Array(mix.length),
      other: Int32Array.from(mix),
    };
  },
};
