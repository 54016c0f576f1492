import { describe, expect, it } from "vitest";
import { CHANNELS, STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import { blockSpans, STEM_BLOCK_FRAMES, stemBlocks, stemsRange } from "../../src/audio/stem-blocks.js";
import { encodeStems } from "../../src/audio/stem-codec.js";

/** Stereo drums and other, centred bass and vocals, a sample past 16 bits in other. */
function stemsFor(frames: number): Stems {
  const stems = Object.fromEntries(
    STEM_NAMES.map((name, k) => [
      name,
      Int32Array.from({ length: frames * CHANNELS }, (_, i) => {
        const frame = Math.floor(i / CHANNELS);
        const centred = name === "bass" || name === "vocals";
        return ((frame * (k + 3) * 7919) % 60_000) - 30_000 + (centred ? 0 : i % CHANNELS);
      }),
    ]),
  ) as Stems;
  stems.other[CHANNELS * Math.floor(frames / 2)] = 100_000;
  return stems;
}

const blocksOf = (body: Buffer, frames: number, blockFrames: number) => [
  ...stemBlocks(body, frames, blockFrames),
];

/** Each block equals its frames of `stems`, and together they cover [0, frames) in order. */
function expectCovers(blocks: ReturnType<typeof blocksOf>, stems: Stems, frames: number): void {
  let next = 0;
  for (const block of blocks) {
    expect(block.start).toBe(next);
    const want = stemsRange(stems, block.start, block.end);
    for (const name of STEM_NAMES) expect(Array.from(block.stems[name])).toEqual(Array.from(want[name]));
    next = block.end;
  }
  expect(next).toBe(frames);
}

describe("blockSpans", () => {
  it("cuts a range into whole blocks and a shorter last one", () => {
    expect(blockSpans(5, 17, 5)).toEqual([
      [5, 10],
      [10, 15],
      [15, 17],
    ]);
    expect(blockSpans(5, 8, 5)).toEqual([[5, 8]]);
    expect(blockSpans(5, 5, 5)).toEqual([]);
    expect(() => blockSpans(0, 10, 0)).toThrow(/not a positive whole number/);
  });
});

describe("stemBlocks", () => {
  const frames = 1_003;
  const stems = stemsFor(frames);

  it("yields an ESt2 body's blocks as they were written", () => {
    const blocks = blocksOf(encodeStems(stems, 100), frames, 100);
    expect(blocks.map((b) => b.end - b.start)).toEqual([...Array(10).fill(100), 3]);
    expectCovers(blocks, stems, frames);
  });

  it("cuts blocks larger than it takes at a time", () => {
    const blocks = blocksOf(encodeStems(stems, 400), frames, 150);
    expect(blocks.map((b) => b.end - b.start)).toEqual([150, 150, 100, 150, 150, 100, 150, 53]);
    expectCovers(blocks, stems, frames);
  });

  it("cuts a body stored before compaction into blocks that are views on it, not copies", () => {
    const legacy = Buffer.concat(STEM_NAMES.map((name) => Buffer.from(stems[name].buffer)));
    const blocks = blocksOf(legacy, frames, 128);
    expect(blocks.length).toBe(Math.ceil(frames / 128));
    expectCovers(blocks, stems, frames);
    for (const block of blocks)
      for (const name of STEM_NAMES) expect(block.stems[name].buffer).toBe(legacy.buffer);
  });

  it("cuts an ESt1 body into blocks", () => {
    // drums and other stereo 16-bit, except other, which is 32-bit for its sample past 16 bits; bass, vocals mono.
    const sections = [
      Buffer.from(Int16Array.from(stems.drums).buffer),
      Buffer.from(Int16Array.from(stems.bass.filter((_, i) => i % 2 === 0)).buffer),
      Buffer.from(Int16Array.from(stems.vocals.filter((_, i) => i % 2 === 0)).buffer),
      Buffer.from(Int32Array.from(stems.other).buffer),
    ];
    const est1 = Buffer.concat([Buffer.from("ESt1", "latin1"), Buffer.from([0, 1, 1, 2]), ...sections]);
    expectCovers(blocksOf(est1, frames, 256), stems, frames);
  });

  it("takes blocks of STEM_BLOCK_FRAMES by default", () => {
    const long = STEM_BLOCK_FRAMES + 5;
    const silent = Object.fromEntries(
      STEM_NAMES.map((name) => [name, new Int32Array(long * CHANNELS)]),
    ) as Stems;
    const blocks = [...stemBlocks(encodeStems(silent), long)];
    expect(blocks.map((b) => b.end - b.start)).toEqual([STEM_BLOCK_FRAMES, 5]);
  });

  it("refuses a body that lies before yielding anything", () => {
    const body = encodeStems(stems, 100);
    const blocks = stemBlocks(body.subarray(0, body.length - 1), frames);
    expect(() => blocks.next()).toThrow(/ends inside a block/);
  });
});
