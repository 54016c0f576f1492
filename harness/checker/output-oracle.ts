import type { Checker } from "./checker.js";

export const outputOracle: Checker = {
  name: "output-oracle",
  title: "the merged output equals the single-process reference (±1 LSB, exact sample count)",
  check(input) {
    const { maxDifference, samples, referenceSamples, error } = input.output;
    const ok =
      error === undefined &&
      maxDifference !== undefined &&
      maxDifference <= 1 &&
      samples === referenceSamples;
    return {
      check: this.name,
      title: this.title,
      ok,
      summary:
        error ??
        `${samples} samples (reference ${referenceSamples}), largest difference ${maxDifference} LSB`,
      witness: ok ? undefined : input.output,
      figures: { maxDifferenceLsb: maxDifference ?? null, samples: samples ?? null },
    };
  },
};
