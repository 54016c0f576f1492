import { CHANNELS } from "../../src/audio/pcm.js";

/** A deterministic stereo mix for pure tests: a centred tone, a panned tone, low bass and pseudo-random bursts. */
export function syntheticMix(frames: number, seed = 1): Int16Array {
  const out = new Int16Array(frames * CHANNELS);
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  for (let i = 0; i < frames; i++) {
    const t = i / 44_100;
    const voice = 6000 * Math.sin(2 * Math.PI * 440 * t + 3 * Math.sin(2 * Math.PI * 5 * t));
    const bass = 5000 * Math.sin(2 * Math.PI * 55 * t);
    const guitar = 4000 * Math.sin(2 * Math.PI * 660 * t);
    const burst = i % 11_025 < 600 ? 9000 * random() : 0;
    out[2 * i] = Math.round(voice + bass + guitar + burst);
    out[2 * i + 1] = Math.round(voice + bass + 0.2 * guitar + burst);
  }
  return out;
}
