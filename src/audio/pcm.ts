/** Everything inside Encore is 16-bit interleaved stereo at one rate: decode converts, encode converts back. */
export const SAMPLE_RATE = 44_100;
export const CHANNELS = 2;
export const BYTES_PER_SAMPLE = 2;
export const BYTES_PER_FRAME = BYTES_PER_SAMPLE * CHANNELS;

export const STEM_NAMES = ["drums", "bass", "vocals", "other"] as const;
export type StemName = (typeof STEM_NAMES)[number];

/** Stems hold 32-bit samples so that drums + bass + vocals + other equals the mix exactly, without clipping. */
export type Stems = Record<StemName, Int32Array>;

/** A view on a Buffer's bytes as 16-bit samples, copied when the Buffer is not 2-byte aligned. */
export function int16View(bytes: Buffer): Int16Array {
  if (bytes.length % BYTES_PER_SAMPLE !== 0) throw new Error(`odd PCM byte count ${bytes.length}`);
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  return new Int16Array(Uint8Array.from(bytes).buffer);
}

export const asBuffer = (view: Int16Array | Int32Array) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength);
