import { describe, expect, it } from "vitest";
import { OverlapAdd } from "../../src/audio/engines/overlap-add.js";

/** Frames of 8 at hop 2 where every sample of frame k is k + 1 on the left and -(k + 1) on the right. */
function run(offset: number, frames: number, firstFrame: number, lastFrame: number): Int32Array {
  const out = new Int32Array(frames * 2);
  const sum = new OverlapAdd(out, offset, 8, 2);
  for (let k = firstFrame; k <= lastFrame; k++) {
    sum.add(k, new Float64Array(8).fill(k + 1 + 0.1), new Float64Array(8).fill(-(k + 1)));
  }
  sum.finish();
  return out;
}

describe("OverlapAdd", () => {
  it("adds every frame that covers a sample, rounding once at the end", () => {
    // Sample 10 lies in frames 2..5: (3.1 + 4.1 + 5.1 + 6.1) = 18.4 → 18; right -(3+4+5+6).
    const out = run(10, 1, -10, 20);
    expect(Array.from(out)).toEqual([18, -18]);
  });

  it("writes only the input's samples, whatever frames reach beyond them", () => {
    const whole = run(0, 40, -3, 19);
    const part = run(13, 9, 3, 10);
    expect(Array.from(part)).toEqual(Array.from(whole.subarray(26, 44)));
  });

  it("leaves samples no frame covers at zero", () => {
    expect(Array.from(run(0, 4, 5, 6))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
