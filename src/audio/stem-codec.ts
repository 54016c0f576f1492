import { asBuffer, CHANNELS, int32View, STEM_NAMES, type Stems } from "./pcm.js";

/** Result bodies: the four stems back to back, each 32-bit little-endian interleaved stereo, in STEM_NAMES order. */
export const encodeStems = (stems: Stems): Buffer =>
  Buffer.concat(STEM_NAMES.map((name) => asBuffer(stems[name])));

export const stemsByteLength = (frames: number) => frames * CHANNELS * 4 * STEM_NAMES.length;

export function decodeStems(body: Buffer, frames: number): Stems {
  if (body.length !== stemsByteLength(frames)) {
    throw new Error(
      `stems body has ${body.length} bytes, expected ${stemsByteLength(frames)} for ${frames} frames`,
    );
  }
  const all = int32View(body);
  const each = frames * CHANNELS;
  return Object.fromEntries(
    STEM_NAMES.map((name, k) => [name, all.subarray(k * each, (k + 1) * each)]),
  ) as Stems;
}
