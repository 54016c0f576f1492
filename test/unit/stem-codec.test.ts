import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHANNELS, STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { StemBodyWriter } from "../../src/audio/stem-body-writer.js";
import {
  decodeStems,
  encodeStems,
  MAX_STEM_BYTES_PER_FRAME,
  stemsBodyError,
} from "../../src/audio/stem-codec.js";

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

const expectSame = (got: Stems, want: Stems) => {
  for (const name of STEM_NAMES) expect(Array.from(got[name])).toEqual(Array.from(want[name]));
};

/** An "ESt1" body (one layout per stem for the whole chunk), as versions before block bodies stored them. */
function est1Body(stems: Stems, layouts: readonly number[]): Buffer {
  const sections = STEM_NAMES.map((name, k) => {
    const mono = layouts[k] & 1;
    const kept = stems[name].filter((_, i) => !mono || i % CHANNELS === 0);
    const packed = layouts[k] & 2 ? Int32Array.from(kept) : Int16Array.from(kept);
    return Buffer.from(packed.buffer);
  });
  return Buffer.concat([Buffer.from("ESt1", "latin1"), Buffer.from(layouts), ...sections]);
}

/** The byte offsets of an "ESt2" body's block headers, read the way the format says. */
function blockHeaders(body: Buffer): Array<{ at: number; frames: number; layouts: number[] }> {
  const widths = (layout: number) => (layout & 1 ? 1 : 2) * (layout & 2 ? 4 : 2);
  const headers = [];
  for (let at = 4; at < body.length; ) {
    const frames = body.readUInt32LE(at);
    const layouts = [...body.subarray(at + 4, at + 8)];
    headers.push({ at, frames, layouts });
    at += 8 + layouts.reduce((sum, layout) => sum + frames * widths(layout), 0);
  }
  return headers;
}

describe("stem codec", () => {
  it("gives back exactly what it was given, for any samples of up to 18 bits and any block size", () => {
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
            fc.integer({ min: 1, max: frames + 1 }),
          ),
        ),
        ([frames, data, centred, blockFrames]) => {
          // Some stems centred (left = right), some narrow, some wide: every layout gets its turn.
          const stems = stemsOf((name, i) => {
            const k = STEM_NAMES.indexOf(name as (typeof STEM_NAMES)[number]);
            return centred[k] ? data[k][i - (i % CHANNELS)] : data[k][i];
          }, frames);
          const body = encodeStems(stems, blockFrames);
          expect(stemsBodyError(body, frames)).toBeUndefined();
          expectSame(decodeStems(body, frames), stems);
        },
      ),
    );
  });

  it("stores centred 16-bit stems in one channel of 16 bits: 12 bytes a frame instead of 32, and 8 a block", () => {
    const frames = 1000;
    const body = encodeStems(typical(frames), 300);
    expect(body.subarray(0, 4).toString("latin1")).toBe("ESt2");
    expect(body.length).toBe(4 + 4 * 8 + frames * (2 * 2 + 2 + 2 + 2 * 2));
    expect(MAX_STEM_BYTES_PER_FRAME).toBe(32);
  });

  it("chooses each block's layouts by that block's samples alone", () => {
    const frames = 30;
    const stems = typical(frames);
    stems.other[2 * 12 + 1] = 40_000; // block 1 (frames 10..19): other needs 32 bits
    stems.bass[2 * 25] += 1; // block 2 (frames 20..29): bass is no longer centred
    const body = encodeStems(stems, 10);
    const [MONO, WIDE, STEREO] = [1, 2, 0];
    expect(blockHeaders(body)).toEqual([
      { at: 4, frames: 10, layouts: [STEREO, MONO, MONO, STEREO] },
      { at: expect.any(Number), frames: 10, layouts: [STEREO, MONO, MONO, WIDE] },
      { at: expect.any(Number), frames: 10, layouts: [STEREO, STEREO, MONO, STEREO] },
    ]);
    expectSame(decodeStems(body, frames), stems);
  });

  it("writes a body only of the frames and blocks it was sized for", () => {
    const writer = new StemBodyWriter(25, 2);
    expect(() => writer.finish()).toThrow(/0 frames written, expected 25/);
    writer.add(typical(20));
    expect(() => writer.add(typical(6))).toThrow(/a block of 6 frames does not fit: 20 of 25 frames written/);
    writer.add(typical(5));
    expect(() => writer.add(typical(0))).toThrow(/does not fit/);
    expect(stemsBodyError(writer.finish(), 25)).toBeUndefined();
    const tooFewBlocks = new StemBodyWriter(25, 1);
    tooFewBlocks.add(typical(10));
    expect(() => tooFewBlocks.add(typical(10))).toThrow(/0 blocks left/);
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
    expect(stemsBodyError(legacy, frames)).toBeUndefined();
    expectSame(decodeStems(legacy, frames), stems);
  });

  it.each([[[0, 1, 1, 0]], [[2, 3, 1, 0]], [[1, 0, 3, 2]]])(
    "still reads an ESt1 body (one layout per stem for the chunk), layouts %j",
    (layouts) => {
      const frames = 11; // odd: a 32-bit section after a 16-bit mono one is not 4-byte aligned
      const stems = typical(frames);
      for (const [k, name] of STEM_NAMES.entries()) {
        const samples = stems[name];
        if (layouts[k] & 1) for (let i = 0; i < samples.length; i += CHANNELS) samples[i + 1] = samples[i];
        else samples[2 * 4] = samples[2 * 4 + 1] + 3;
        if (layouts[k] & 2) samples[2 * 3] = samples[2 * 3 + 1] = -70_000;
      }
      const body = est1Body(stems, layouts);
      expect(stemsBodyError(body, frames)).toBeUndefined();
      expectSame(decodeStems(body, frames), stems);
    },
  );

  it("refuses an ESt1 body whose size does not match its layouts, or an unknown layout, naming what it found", () => {
    const body = est1Body(typical(10), [0, 1, 1, 0]);
    expect(() => decodeStems(body.subarray(0, body.length - 2), 10)).toThrow(/expected \d+ for 10 frames/);
    expect(() => decodeStems(body, 11)).toThrow(/for 11 frames/);
    const unknown = Buffer.from(body);
    unknown[5] = 9;
    expect(() => decodeStems(unknown, 10)).toThrow(/unknown stem layout 9/);
    expect(() => decodeStems(Buffer.alloc(100), 10)).toThrow(/no layout header; a headerless one holds 320/);
    expect(() => decodeStems(body.subarray(0, 6), 10)).toThrow(/shorter than its header/);
  });
});

describe("stemsBodyError on an ESt2 body", () => {
  const frames = 25;
  const body = encodeStems(typical(frames), 10);
  const [, second, third] = blockHeaders(body);
  const patched = (patch: (copy: Buffer) => void) => {
    const copy = Buffer.from(body);
    patch(copy);
    return copy;
  };

  it("accepts the body as written", () => {
    expect(stemsBodyError(body, frames)).toBeUndefined();
  });

  it("refuses it cut short anywhere, saying where", () => {
    for (let length = 0; length < body.length; length++) {
      const problem = stemsBodyError(body.subarray(0, length), frames);
      expect(problem, `cut to ${length} bytes`).toMatch(
        length < 4
          ? /no layout header/
          : /ends inside a block header|ends inside a block \(block at byte \d+\)|blocks of \d+ frames, expected 25/,
      );
    }
    expect(stemsBodyError(body.subarray(0, third.at), frames)).toBe(
      "stems body has blocks of 20 frames, expected 25",
    );
    for (const left of [3, 5, 7])
      expect(stemsBodyError(body.subarray(0, third.at + left), frames)).toMatch(
        `ends inside a block header (block at byte ${third.at}): ${left} of its 8 bytes`,
      );
    expect(stemsBodyError(body.subarray(0, body.length - 1), frames)).toMatch(
      `ends inside a block (block at byte ${third.at}): it takes`,
    );
  });

  it("refuses trailing bytes", () => {
    expect(stemsBodyError(Buffer.concat([body, Buffer.alloc(2)]), frames)).toBe(
      "stems body has 2 bytes after its last block (its blocks hold all 25 frames already)",
    );
    const extraBlock = Buffer.concat([body, body.subarray(third.at)]);
    expect(stemsBodyError(extraBlock, frames)).toMatch(/after its last block/);
  });

  it("refuses block frame counts that do not add up to the result's frames", () => {
    expect(stemsBodyError(body, 26)).toBe("stems body has blocks of 25 frames, expected 26");
    expect(stemsBodyError(body, 24)).toBe(
      `stems body has blocks of more than 24 frames: 25 up to the block at byte ${third.at}`,
    );
    // A block that claims more frames than it holds bytes for is refused before any sample is read.
    for (const claimed of [9, 11]) {
      const lying = patched((copy) => copy.writeUInt32LE(claimed, second.at));
      for (const n of [frames - 1, frames, frames + 1])
        expect(stemsBodyError(lying, n)).toMatch(/^stems body /);
    }
    const huge = patched((copy) => copy.writeUInt32LE(0xffffffff, second.at));
    expect(stemsBodyError(huge, frames)).toMatch(/blocks of more than 25 frames/);
    expect(stemsBodyError(huge, 2 ** 33)).toMatch(
      /ends inside a block \(block at byte \d+\): it takes \d+ bytes/,
    );
    const empty = patched((copy) => copy.writeUInt32LE(0, second.at));
    expect(stemsBodyError(empty, frames)).toBe(
      `stems body has a block of 0 frames (block at byte ${second.at})`,
    );
  });

  it("refuses an unknown layout in any block", () => {
    for (const k of [0, 3]) {
      const unknown = patched((copy) => {
        copy[second.at + 4 + k] = 4;
      });
      expect(stemsBodyError(unknown, frames)).toBe(
        `stems body has an unknown stem layout 4 (block at byte ${second.at})`,
      );
      expect(() => decodeStems(unknown, frames)).toThrow(/unknown stem layout 4/);
    }
  });

  it("never throws nor reads past the body, whatever its bytes after the magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 40 }), (bytes, n) => {
        const junk = Buffer.concat([Buffer.from("ESt2", "latin1"), bytes]);
        const problem = stemsBodyError(junk, n);
        // A body it passes decodes, and to exactly its frames.
        if (problem === undefined) expect(decodeStems(junk, n).drums.length).toBe(n * CHANNELS);
        else expect(problem).toMatch(/^stems body /);
      }),
    );
    // Valid headers with the body's samples cut or padded: the shapes most likely to get near an over-read.
    fc.assert(
      fc.property(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 20, max: 30 }), (delta, n) => {
        const resized =
          delta < 0 ? body.subarray(0, body.length + delta) : Buffer.concat([body, Buffer.alloc(delta)]);
        const problem = stemsBodyError(resized, n);
        expect(problem === undefined).toBe(delta === 0 && n === frames);
      }),
    );
  });
});
