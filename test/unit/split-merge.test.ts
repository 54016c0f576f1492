import { describe, expect, it } from "vitest";
import { SEPARATING_ENGINES } from "../../src/audio/engines/index.js";
import { mergeChunks, mixStems } from "../../src/audio/merge.js";
import { CHANNELS, STEM_NAMES } from "../../src/audio/pcm.js";
import { separateChunk, separateWhole } from "../../src/audio/separate-chunk.js";
import { chunkCount, chunkInput, planChunks } from "../../src/audio/split.js";
import { decodeStems, encodeStems } from "../../src/audio/stem-codec.js";
import { syntheticMix } from "../support/synthetic-mix.js";

describe("planChunks", () => {
  it.each([
    [1, 1],
    [7, 3],
    [44_101, 4],
    [99_991, 12],
    [5, 12],
  ])("%i frames in %i chunks cover every frame once", (frames, count) => {
    const plans = planChunks(frames, count, 1000);
    expect(plans.length).toBe(Math.min(frames, count));
    let next = 0;
    for (const p of plans) {
      expect(p.start).toBe(next);
      expect(p.end).toBeGreaterThan(p.start);
      expect(p.contextStart).toBe(Math.max(0, p.start - 1000));
      expect(p.contextEnd).toBe(Math.min(frames, p.end + 1000));
      next = p.end;
    }
    expect(next).toBe(frames);
  });

  it("refuses an empty song", () => {
    expect(() => planChunks(0, 4, 10)).toThrow(/cannot split 0 frames/);
  });
});

describe("chunkCount", () => {
  const policy = { mode: "per-worker" as const, perWorker: 4, chunkSeconds: 30, maxChunkSeconds: 60 };
  it.each([
    ["per-worker, short song", 44_100 * 10, policy, 4],
    ["per-worker, long song capped at 60 s chunks", 44_100 * 300, policy, 5],
    ["seconds mode", 44_100 * 61, { ...policy, mode: "seconds" as const }, 3],
    ["seconds mode, capped", 44_100 * 120, { ...policy, mode: "seconds" as const, chunkSeconds: 100 }, 2],
  ])("%s", (_name, frames, p, expected) => {
    expect(chunkCount(frames, 44_100, p)).toBe(expected);
  });
});

describe.each(SEPARATING_ENGINES)("$name: distributed separation equals the whole-song run", (engine) => {
  const frames = 3 * 44_100 + 17;
  const song = syntheticMix(frames, 7);
  const whole = separateWhole(engine, song);

  it.each([1, 2, 3, 5, 8, 13])("split into %i chunks, merged, is sample-identical", (count) => {
    const plans = planChunks(frames, count, engine.radius);
    // Boundaries off the STFT hop (512) too: a chunk must not depend on where it starts.
    if (count > 1) expect(plans.some((plan) => plan.contextStart % 512 !== 0)).toBe(true);
    const parts = plans.map((plan) => ({
      start: plan.start,
      end: plan.end,
      // Round trip through the wire format too.
      stems: decodeStems(
        encodeStems(separateChunk(engine, chunkInput(song, plan), plan)),
        plan.end - plan.start,
      ),
    }));
    const merged = mergeChunks(frames, parts);
    for (const name of STEM_NAMES) {
      expect(merged[name].length).toBe(frames * CHANNELS);
      expect(Buffer.from(merged[name].buffer).equals(Buffer.from(whole[name].buffer))).toBe(true);
    }
  });

  it("too little context does change the output (the radius is needed)", () => {
    const parts = planChunks(frames, 4, 8).map((plan) => ({
      start: plan.start,
      end: plan.end,
      stems: separateChunk(engine, chunkInput(song, plan), plan),
    }));
    const merged = mergeChunks(frames, parts);
    expect(Buffer.from(merged.vocals.buffer).equals(Buffer.from(whole.vocals.buffer))).toBe(false);
  });

  it("merge refuses a missing or repeated chunk", () => {
    const plans = planChunks(frames, 3, engine.radius);
    const parts = plans.map((plan) => ({
      start: plan.start,
      end: plan.end,
      stems: separateChunk(engine, chunkInput(song, plan), plan),
    }));
    expect(() => mergeChunks(frames, [parts[0], parts[2]])).toThrow(/missing/);
    expect(() => mergeChunks(frames, [parts[0], parts[0], parts[1], parts[2]])).toThrow(/repeated/);
  });
});

describe.each(SEPARATING_ENGINES)("$name stems", (engine) => {
  const song = syntheticMix(44_100, 3);
  const stems = separateWhole(engine, song);

  it("sum to the mix exactly", () => {
    expect(Array.from(mixStems(stems, STEM_NAMES))).toEqual(Array.from(song));
  });

  it("are each non-trivial, and the karaoke mix removes most of the centred voice", () => {
    for (const name of STEM_NAMES) expect(stems[name].some((v) => v !== 0)).toBe(true);
    const energy = (x: ArrayLike<number>) => Array.from(x).reduce((s, v) => s + v * v, 0);
    const karaoke = mixStems(stems, ["drums", "bass", "other"]);
    expect(energy(stems.vocals)).toBeGreaterThan(0.2 * energy(song));
    expect(energy(karaoke)).toBeLessThan(0.8 * energy(song));
  });

  it("are deterministic", () => {
    const again = separateWhole(engine, song);
    for (const name of STEM_NAMES) expect(again[name]).toEqual(stems[name]);
  });
});
