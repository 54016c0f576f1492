import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { medianAcross, replaceSorted, SlidingMedians } from "../../src/audio/engines/median-filter.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) / 2];
const value = fc.integer({ min: -5, max: 5 });

describe("replaceSorted", () => {
  it("swaps one value for another and keeps the run sorted, leaving the rest alone", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 9 }), fc.nat(), value, (values, pick, next) => {
        const run = [...values].sort((a, b) => a - b);
        const old = run[pick % run.length];
        const sorted = Float64Array.from([99, ...run, -99]);
        replaceSorted(sorted, 1, run.length, old, next);
        const expected = [...run];
        expected.splice(expected.indexOf(old), 1, next);
        expect(Array.from(sorted)).toEqual([99, ...expected.sort((a, b) => a - b), -99]);
      }),
    );
  });
});

describe("SlidingMedians", () => {
  it("gives each lane the median of its last `width` values, zeros before the first", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 30 }), (pushes) => {
        const width = 5;
        const medians = new SlidingMedians(2, width);
        const out = new Float64Array(2);
        const seen: number[][] = [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ];
        for (const [a, b] of pushes) {
          medians.push(Float64Array.from([a, b]));
          seen[0].push(a);
          seen[1].push(b);
          medians.medians(out);
          expect(Array.from(out)).toEqual(seen.map((lane) => median(lane.slice(-width))));
        }
      }),
    );
  });
});

describe("medianAcross", () => {
  it("gives the median of each neighbourhood, zeros beyond the ends", () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 4 }),
        (x, half) => {
          const out = new Float64Array(x.length);
          medianAcross(Float64Array.from(x), half, out);
          const at = (i: number) => (i >= 0 && i < x.length ? x[i] : 0);
          const expected = x.map((_, i) =>
            median(Array.from({ length: 2 * half + 1 }, (_, j) => at(i - half + j))),
          );
          expect(Array.from(out)).toEqual(expected);
        },
      ),
    );
  });
});
