import { CHANNELS } from "./pcm.js";

/**
 * How one stem's samples are stored in a result body, losslessly and as narrowly as they allow: MONO when both
 * channels are the same (bass and vocals are centred), so one is kept; WIDE when some sample needs more than
 * 16 bits. Samples are little-endian, like the typed arrays they are read into on every machine Encore runs on.
 */
const MONO = 1;
const WIDE = 2;
/** Four 32-bit stereo stems: how bodies were stored before compaction. */
export const LEGACY_LAYOUT = WIDE;

export const isKnownLayout = (layout: number) => layout >= 0 && layout <= (MONO | WIDE);

const bytesPerFrame = (layout: number) => (layout & MONO ? 1 : CHANNELS) * (layout & WIDE ? 4 : 2);

export const sectionBytes = (layout: number, frames: number) => frames * bytesPerFrame(layout);

export function layoutOf(samples: Int32Array): number {
  let mono = MONO;
  let wide = 0;
  for (let i = 0; i < samples.length; i += CHANNELS) {
    if (samples[i] !== samples[i + 1]) mono = 0;
    if (samples[i] !== (samples[i] << 16) >> 16 || samples[i + 1] !== (samples[i + 1] << 16) >> 16)
      wide = WIDE;
    if (!mono && wide) break;
  }
  return mono | wide;
}

/** Writes interleaved stereo `samples` into `out` at `offset` in `layout`; returns the bytes written. */
export function writeSection(samples: Int32Array, layout: number, out: Buffer, offset: number): number {
  let kept = samples;
  if (layout & MONO) {
    kept = new Int32Array(samples.length / CHANNELS);
    for (let i = 0; i < kept.length; i++) kept[i] = samples[CHANNELS * i];
  }
  const packed = layout & WIDE ? kept : new Int16Array(kept);
  out.set(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), offset);
  return packed.byteLength;
}

/**
 * `frames` frames of a section starting at byte `offset`, as interleaved stereo 32-bit samples. Stereo 32-bit
 * samples at an aligned offset are a view on the body, not a copy (bodies stored before compaction are all such);
 * other layouts are expanded into a new array.
 */
export function readSection(body: Buffer, offset: number, layout: number, frames: number): Int32Array {
  const count = frames * (layout & MONO ? 1 : CHANNELS);
  if (layout & WIDE) {
    const samples = new Int32Array(...aligned(body, offset, count * 4, 4));
    return layout & MONO ? doubled(samples) : samples;
  }
  const samples = new Int16Array(...aligned(body, offset, count * 2, 2));
  if (layout & MONO) return doubled(samples);
  const out = new Int32Array(count);
  out.set(samples);
  return out;
}

/**
 * Where `bytes` bytes at `offset` can be viewed as samples of `width` bytes: in place, or in a copy when they are
 * not aligned (a 32-bit section may follow a 16-bit one with an odd number of samples).
 */
function aligned(body: Buffer, offset: number, bytes: number, width: number): [ArrayBuffer, number, number] {
  const at = body.byteOffset + offset;
  if (at % width === 0) return [body.buffer as ArrayBuffer, at, bytes / width];
  return [Uint8Array.prototype.slice.call(body, offset, offset + bytes).buffer, 0, bytes / width];
}

function doubled(mono: Int16Array | Int32Array): Int32Array {
  const out = new Int32Array(mono.length * CHANNELS);
  for (let i = 0; i < mono.length; i++) out[CHANNELS * i] = out[CHANNELS * i + 1] = mono[i];
  return out;
}
