import type { Stems } from "../pcm.js";

/**
 * A separation engine turns an interleaved stereo 16-bit mix into four stems that sum to it exactly.
 * `radius` bounds how far (in frames) an output frame may look at input: a chunk processed with at least that
 * much context on both sides gives the same samples as the whole song processed at once. `offset` is the
 * song frame `mix` starts at, for engines whose analysis grid is anchored to the song rather than to the chunk.
 */
export interface SeparationEngine {
  readonly name: string;
  readonly radius: number;
  separate(mix: Int16Array, offset: number): Stems;
}
