import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHANNELS, STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { decodeStems, encodeStems, MAX_STEM_BYTES_PER_FRAME } from "../../src/audio/stem-codec.js";

const stemsOf = (make: (name: string, i: number) => number, frames: number): Stems =>
  Object.fromEntries(
    STEM_NAMES.map((name) => [name, Int32Array.from({ length: frames * CHANNELS }, (_, i) => make(name, i))]),
  ) as Stems;

/** Stems as the separator makes them: drums and other stereo, bass and vocals centred, all within 16 bits. */
const typical = (frames: number) =>
  stemsOf((name, i) => {
    const frame = Math.floor(i / CHANNELS);
    const centred = name === "bass" || name === "vocals";
    return Math.round(30_000 * Math.sin(frame / 7 + (centred ? 0 : (i % CHANNELS) * 1.3) + name.length));
  }, frames);

describe("stem codec", () => {
  it("gives back exactly what it was given, for any samples of up to 18 bits", () => {
    const sample = fc.integer({ min: -(2 ** 17), max: 2 ** 17 - 1 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((frames) =>
          fc.tuple(
            fc.constant(frames),
            fc.array(fc.array(sample, { minLength: frames * CHANNELS, maxLength: frames * CHANNELS }), {
              minLength: 4,
              maxLength: 4,
            }),
            fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          ),
        ),
        ([frames, data, centred]) => {
          // Some stems centred (left = right), some narrow, some wide: every layout gets its turn.
          const stems = stemsOf((name, i) => {
            const k = STEM_NAMES.indexOf(name as (typeof STEM_NAMES)[number]);
            return centred[k] ? data[k][i - (i % CHANNELS)] : data[k][i];
          }, frames);
          const decoded = decodeStems(encodeStems(stems), frames);
          for (const name of STEM_NAMES) expect(Array.from(decoded[name])).toEqual(Array.from(stems[name]));
        },
      ),
    );
  });

  it("stores centred 16-bit stems in one channel of 16 bits: 12 bytes a frame instead of 32", () => {
    const frames = 1000;
    const body = encodeStems(typical(frames));
    expect(body.length).toBe(8 + frames * (2 * 2 + 2 + 2 + 2 * 2));
    expect(MAX_STEM_BYTES_PER_FRAME).toBe(32);
  });

  it("keeps a sample past 16 bits, and a channel that differs by one LSB", () => {
    const frames = 64;
    const stems = typical(frames);
    stems.other[17] = 40_000;
    stems.bass[31] += 1;
    const decoded = decodeStems(encodeStems(stems), frames);
    expect(decoded.other[17]).toBe(40_000);
    expect(Array.from(decoded.bass)).toEqual(Array.from(stems.bass));
  });

  it("still reads a body stored before compaction: four 32-bit stereo stems", () => {
    const frames = 10;
    const stems = typical(frames);
    const legacy = Buffer.concat(STEM_NAMES.map((name) => Buffer.from(stems[name].buffer)));
    const decoded = decodeStems(legacy, frames);
    for (const name of STEM_NAMES) expect(Array.from(decoded[name])).toEqual(Array.from(stems[name]));
  });

  it("refuses a body whose size does not match its layouts, or an unknown layout, naming what it found", () => {
    const body = encodeStems(typical(10));
    expect(() => decodeStems(body.subarray(0, body.length - 2), 10)).toThrow(/expected \d+ for 10 frames/);
    expect(() => decodeStems(body, 11)).toThrow(/for 11 frames/);
    const unknown = Buffer.from(body);
    unknown[5] = 9;
    expect(() => decodeStems(unknown, 10)).toThrow(/unknown stem layout 9/);
    expect(() => decodeStems(Buffer.alloc(100), 10)).toThrow(/no layout header; a headerless one holds 320/);
    expect(() => decodeStems(body.subarray(0, 6), 10)).toThrow(/shorter than its header/);
  });
});
