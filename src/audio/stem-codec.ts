import { asBuffer, CHANNELS, int32View, STEM_NAMES, type Stems } from "./pcm.js";

/**
 * Result bodies. The four stems in STEM_NAMES order, each stored as narrowly as its samples allow, losslessly:
 * one channel when both are the same (bass and vocals are centred), 16-bit when every sample fits. After a
 * 4-byte magic, one layout byte per stem (MONO | WIDE bits), then each stem's samples, little-endian.
 * Before 2026-11-27 a body was the four stems as 32-bit stereo, 32 bytes a frame: results stored then are still
 * read (their first four bytes are a sample, which never reaches the magic's value).
 */
const MAGIC = Buffer.from("ESt1", "latin1");
const MONO = 1;
const WIDE = 2;

/** The most a frame can take: four 32-bit stereo stems (and what a body stored before compaction holds). */
export const MAX_STEM_BYTES_PER_FRAME = CHANNELS * 4 * STEM_NAMES.length;

const sectionBytes = (layout: number, frames: number) =>
  frames * (layout & MONO ? 1 : CHANNELS) * (layout & WIDE ? 4 : 2);

function layoutOf(samples: Int32Array): number {
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

function pack(samples: Int32Array, layout: number): Buffer {
  let kept = samples;
  if (layout & MONO) {
    kept = new Int32Array(samples.length / CHANNELS);
    for (let i = 0; i < kept.length; i++) kept[i] = samples[CHANNELS * i];
  }
  return asBuffer(layout & WIDE ? kept : new Int16Array(kept));
}

export function encodeStems(stems: Stems): Buffer {
  const layouts = STEM_NAMES.map((name) => layoutOf(stems[name]));
  return Buffer.concat([
    MAGIC,
    Buffer.from(layouts),
    ...STEM_NAMES.map((name, k) => pack(stems[name], layouts[k])),
  ]);
}

/** What is wrong with a body's shape for `frames` frames (header, layouts, length), or undefined: no decoding. */
export function stemsBodyError(body: Buffer, frames: number): string | undefined {
  if (!hasHeader(body)) {
    const legacyBytes = frames * MAX_STEM_BYTES_PER_FRAME;
    return body.length === legacyBytes
      ? undefined
      : `stems body has ${body.length} bytes and no layout header; a headerless one holds ${legacyBytes} for ${frames} frames`;
  }
  if (body.length < HEADER_BYTES) return `stems body has ${body.length} bytes, shorter than its header`;
  const layouts = layoutsOf(body);
  const bad = layouts.find((layout) => layout > (MONO | WIDE));
  if (bad !== undefined) return `stems body has an unknown stem layout ${bad}`;
  const expected = HEADER_BYTES + layouts.reduce((sum, layout) => sum + sectionBytes(layout, frames), 0);
  if (body.length !== expected)
    return `stems body has ${body.length} bytes, expected ${expected} for ${frames} frames in layouts ${layouts.join(",")}`;
  return undefined;
}

const HEADER_BYTES = MAGIC.length + STEM_NAMES.length;
const hasHeader = (body: Buffer) =>
  body.length >= MAGIC.length && body.subarray(0, MAGIC.length).equals(MAGIC);
const layoutsOf = (body: Buffer) => [...body.subarray(MAGIC.length, HEADER_BYTES)];

export function decodeStems(body: Buffer, frames: number): Stems {
  const problem = stemsBodyError(body, frames);
  if (problem) throw new Error(problem);
  if (hasHeader(body)) return unpack(body, frames);
  const all = int32View(body);
  const each = frames * CHANNELS;
  return Object.fromEntries(
    STEM_NAMES.map((name, k) => [name, all.subarray(k * each, (k + 1) * each)]),
  ) as Stems;
}

/** The samples of a body whose shape stemsBodyError passed. */
function unpack(body: Buffer, frames: number): Stems {
  const layouts = layoutsOf(body);
  let offset = HEADER_BYTES;
  const stems = {} as Stems;
  STEM_NAMES.forEach((name, k) => {
    const bytes = sectionBytes(layouts[k], frames);
    // Copied: the sections need not be aligned for a typed-array view.
    const section = Uint8Array.prototype.slice.call(body, offset, offset + bytes).buffer;
    offset += bytes;
    const samples = layouts[k] & WIDE ? new Int32Array(section) : new Int16Array(section);
    const out = new Int32Array(frames * CHANNELS);
    if (layouts[k] & MONO) {
      for (let i = 0; i < frames; i++) out[2 * i] = out[2 * i + 1] = samples[i];
    } else out.set(samples);
    stems[name] = out;
  });
  return stems;
}
