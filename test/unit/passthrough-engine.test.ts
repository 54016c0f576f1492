import { describe, expect, it } from "vitest";
import { getEngine } from "../../src/audio/engines/index.js";
import { passthroughEngine } from "../../src/audio/engines/passthrough.js";
import { mergeChunks, mixStems } from "../../src/audio/merge.js";
import { STEM_NAMES } from "../../src/audio/pcm.js";
import { separateChunk, separateWhole } from "../../src/audio/separate-chunk.js";
import { chunkInput, planChunks } from "../../src/audio/split.js";
import { decodeStems, encodeStems } from "../../src/audio/stem-codec.js";
import { syntheticMix } from "../support/synthetic-mix.js";

const bytes = (x: Int16Array | Int32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

describe("passthrough engine", () => {
  const frames = 2 * 44_100 + 5;
  const song = syntheticMix(frames, 11);
  const stems = separateWhole(passthroughEngine, song);

  it("is what ENGINE=passthrough names", () => {
    expect(getEngine("passthrough")).toBe(passthroughEngine);
  });

  it("gives stems that sum to the mix exactly: all of it in other, the rest silent", () => {
    expect(bytes(mixStems(stems, STEM_NAMES)).equals(bytes(song))).toBe(true);
    expect(stems.other.every((v, i) => v === song[i])).toBe(true);
    for (const name of ["drums", "bass", "vocals"] as const)
      expect(stems[name].every((v) => v === 0)).toBe(true);
  });

  it("needs no context: chunks split with radius 0, merged through the wire format, give the whole run", () => {
    const plans = planChunks(frames, 7, passthroughEngine.radius);
    const parts = plans.map((plan) => ({
      start: plan.start,
      end: plan.end,
      stems: decodeStems(
        encodeStems(separateChunk(passthroughEngine, chunkInput(song, plan), plan)),
        plan.end - plan.start,
      ),
    }));
    const merged = mergeChunks(frames, parts);
    for (const name of STEM_NAMES) expect(bytes(merged[name]).equals(bytes(stems[name]))).toBe(true);
  });
});
