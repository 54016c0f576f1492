/**
 * One figure of `npm run bench`: a measurement next to its baseline measured in the same run, so a busy or
 * slower machine moves both and the ratio still says what changed. `better` says which way is good.
 */
export interface Figure {
  name: string;
  unit: string;
  value: number;
  baseline: { label: string; value: number };
  better: "lower" | "higher";
  /** How many times better than the baseline (above 1 is better, whichever way `better` points). */
  ratio: number;
  /** The goal for this figure, in words, and whether this run met it (absent: no goal). */
  goal?: { text: string; met: boolean };
}

/** A benchmark: one file in bench/benchmarks, named, with the figures it measures. */
export interface Benchmark {
  name: string;
  /** What it measures and against what, for the table's heading and `--list`. */
  description: string;
  run(): Promise<Figure[]>;
}

/** A goal in words and the test of it, on the figure's value and its ratio to the baseline. */
export interface Goal {
  text: string;
  reached(value: number, ratio: number): boolean;
}

export function figure(
  name: string,
  unit: string,
  value: number,
  baseline: Figure["baseline"],
  better: Figure["better"],
  goal?: Goal,
  /** For a figure on a log scale (dB): the linear quantity the ratio is taken of. */
  linear: (v: number) => number = (v) => v,
): Figure {
  const [a, b] = [linear(value), linear(baseline.value)];
  const ratio = better === "lower" ? b / a : a / b;
  return {
    name,
    unit,
    value,
    baseline,
    better,
    ratio,
    ...(goal ? { goal: { text: goal.text, met: goal.reached(value, ratio) } } : {}),
  };
}
