import { describe, expect, it } from "vitest";
import type { SeparationEngine } from "../../src/audio/engines/engine.js";
import { SEPARATING_ENGINES } from "../../src/audio/engines/index.js";
import { CHANNELS, STEM_NAMES, type Stems } from "../../src/audio/pcm.js";
import {
  type ChunkSpan,
  separateBlocks,
  separateChunk,
  separateChunkBody,
  separateWhole,
  separationBlockFrames,
} from "../../src/audio/separate-chunk.js";
import { chunkInput } from "../../src/audio/split.js";
import { decodeStems } from "../../src/audio/stem-codec.js";
import { syntheticMix } from "../support/synthetic-mix.js";

/** Not a multiple of the STFT hop (512) nor of any block size below, so no border falls on a grid. */
const FRAMES = 2 * 44_100 + 4_321;
const song = syntheticMix(FRAMES, 11);

/** A chunk [start, end) with the engine's radius of context, clipped to the song, as the server plans them. */
const spanOf = (engine: SeparationEngine, start: number, end: number): ChunkSpan => ({
  start,
  end,
  contextStart: Math.max(0, start - engine.radius),
  contextEnd: Math.min(FRAMES, end + engine.radius),
});

/** The chunk separated at once, as workers did before blocks: the reference blocks must equal. */
function atOnce(engine: SeparationEngine, span: ChunkSpan): Stems {
  const stems = engine.separate(chunkInput(song, span), span.contextStart);
  const from = (span.start - span.contextStart) * CHANNELS;
  const to = (span.end - span.contextStart) * CHANNELS;
  return Object.fromEntries(STEM_NAMES.map((name) => [name, stems[name].slice(from, to)])) as Stems;
}

/**
 * An engine that reads exactly `radius` frames either way, sees where its input starts and ends, and knows where
 * in the song it is: the real engines' radii leave some slack, so a context one frame short can still give their
 * samples, while any error in a block's context, trim or offset changes this one's.
 */
const probeEngine: SeparationEngine = {
  name: "probe",
  radius: 300,
  separate(mix: Int16Array, offset: number): Stems {
    const frames = mix.length / CHANNELS;
    const stems = Object.fromEntries(STEM_NAMES.map((name) => [name, new Int32Array(mix.length)])) as Stems;
    const left = (i: number) => (i >= 0 && i < frames ? mix[CHANNELS * i] : -1);
    for (let i = 0; i < frames; i++) {
      const low = Math.max(0, i - this.radius);
      const high = Math.min(frames - 1, i + this.radius);
      let sum = 0;
      for (let j = low; j <= high; j++) sum += mix[CHANNELS * j];
      stems.drums.set([sum, high - low], CHANNELS * i);
      stems.bass.set([offset + i, offset + i], CHANNELS * i);
      stems.vocals.set([left(i - this.radius), left(i + this.radius)], CHANNELS * i);
      stems.other.set([mix[CHANNELS * i], mix[CHANNELS * i + 1]], CHANNELS * i);
    }
    return stems;
  },
};

const bytes = (samples: Int32Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
const identical = (a: Stems, b: Stems) => STEM_NAMES.every((name) => bytes(a[name]).equals(bytes(b[name])));

describe.each([...SEPARATING_ENGINES, probeEngine])("$name: a chunk separated in blocks", (engine) => {
  const chunks: Array<[string, number, number]> = [
    ["in the middle of the song", 30_011, 70_123],
    ["at the song's start", 0, 50_003],
    ["at the song's end", FRAMES - 41_234, FRAMES],
    ["shorter than one block", 40_000, 40_777],
    ["that is the whole song", 0, FRAMES],
  ];
  // 7919 frames is under stft's radius: a block's context then reaches over several of its neighbours.
  const blockSizes = [7_919, 30_011, separationBlockFrames(engine)];

  describe.each(chunks)("%s", (_where, start, end) => {
    const span = spanOf(engine, start, end);
    const reference = atOnce(engine, span);

    it.each(blockSizes)("equals it separated at once, bit for bit, in blocks of %i frames", (blockFrames) => {
      const blocks = [...separateBlocks(engine, chunkInput(song, span), span, blockFrames)];
      expect(blocks.length).toBe(Math.ceil((end - start) / blockFrames));
      expect(identical(separateChunk(engine, chunkInput(song, span), span, blockFrames), reference)).toBe(
        true,
      );
    });

    it("gives a result body that decodes to it", () => {
      const body = separateChunkBody(engine, chunkInput(song, span), span, { blockFrames: 7_919 });
      expect(identical(decodeStems(body, end - start), reference)).toBe(true);
    });
  });

  it("leaves the single-process reference what it was: the whole song separated at once", () => {
    expect(identical(separateWhole(engine, song), engine.separate(song, 0))).toBe(true);
  });

  it("calls afterBlock once a block", () => {
    const span = spanOf(engine, 10_000, 50_000);
    let calls = 0;
    separateChunkBody(engine, chunkInput(song, span), span, {
      blockFrames: 9_000,
      afterBlock: () => calls++,
    });
    expect(calls).toBe(5);
  });

  it("differs with too little context, so the comparison can tell (the radius is needed)", () => {
    const span = spanOf(engine, 30_011, 70_123);
    const shortSighted = { ...engine, radius: Math.floor(engine.radius / 4) };
    const blocks = separateChunk(shortSighted, chunkInput(song, span), span, 7_919);
    expect(identical(blocks, atOnce(engine, span))).toBe(false);
  });

  it("refuses an input that is not the chunk's with its context", () => {
    const span = spanOf(engine, 30_011, 70_123);
    const short = chunkInput(song, span).subarray(2);
    expect(() => separateChunk(engine, short, span)).toThrow(/chunk input has \d+ samples, expected \d+/);
  });
});
