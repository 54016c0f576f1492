import { dspEngine } from "./dsp-engine.js";
import type { SeparationEngine } from "./engine.js";
import { passthroughEngine } from "./passthrough.js";
import { stftEngine } from "./stft-engine.js";

/** The engines that do separate: the ones whose speed and quality benchmarks and tests compare. */
export const SEPARATING_ENGINES: readonly SeparationEngine[] = [dspEngine, stftEngine];

/** Every engine ENGINE can name: the separating ones, and passthrough for measuring the cluster's own cost. */
export const ENGINES: Record<string, SeparationEngine> = Object.fromEntries(
  [...SEPARATING_ENGINES, passthroughEngine].map((engine) => [engine.name, engine]),
);

export function getEngine(name: string): SeparationEngine {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`unknown engine "${name}" (known: ${Object.keys(ENGINES).join(", ")})`);
  return engine;
}

export type { SeparationEngine } from "./engine.js";
