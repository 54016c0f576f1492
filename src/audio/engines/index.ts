import { dspEngine } from "./dsp-engine.js";
import type { SeparationEngine } from "./engine.js";
import { stftEngine } from "./stft-engine.js";

export const ENGINES: Record<string, SeparationEngine> = {
  [dspEngine.name]: dspEngine,
  [stftEngine.name]: stftEngine,
};

export function getEngine(name: string): SeparationEngine {
  const engine = ENGINES[name];
  if (!engine) throw new Error(`unknown engine "${name}" (known: ${Object.keys(ENGINES).join(", ")})`);
  return engine;
}

export type { SeparationEngine } from "./engine.js";
