/**
 * In the sorted run `sorted[from .. from + width)`, replaces one occurrence of `old` by `value` and keeps the
 * run sorted, moving only the entries between the two. A median is a selection, not a sum: the same values
 * give the same median whatever order they came in, which keeps chunks bit-identical to the whole song.
 */
export function replaceSorted(sorted: Float64Array, from: number, width: number, old: number, value: number) {
  let lo = from;
  let hi = from + width - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < old) lo = mid + 1;
    else hi = mid;
  }
  let i = lo;
  const end = from + width - 1;
  while (i < end && sorted[i + 1] < value) {
    sorted[i] = sorted[i + 1];
    i++;
  }
  while (i > from && sorted[i - 1] > value) {
    sorted[i] = sorted[i - 1];
    i--;
  }
  sorted[i] = value;
}

/**
 * For each of `lanes` (frequency bins), the median of the last `width` values pushed (an odd count), where the
 * values before the first push are zeros: frames before the input are silence.
 */
export class SlidingMedians {
  private readonly sorted: Float64Array;
  private readonly history: Float64Array;
  private next = 0;

  constructor(
    readonly lanes: number,
    readonly width: number,
  ) {
    this.sorted = new Float64Array(lanes * width);
    this.history = new Float64Array(lanes * width);
  }

  push(values: Float64Array): void {
    const { width, sorted, history } = this;
    for (let lane = 0; lane < this.lanes; lane++) {
      const from = lane * width;
      replaceSorted(sorted, from, width, history[from + this.next], values[lane]);
      history[from + this.next] = values[lane];
    }
    this.next = (this.next + 1) % width;
  }

  medians(out: Float64Array): void {
    const middle = (this.width - 1) / 2;
    for (let lane = 0; lane < this.lanes; lane++) out[lane] = this.sorted[lane * this.width + middle];
  }
}

/** Median of x over [i - half, i + half] for each i, counting values beyond either end as zero. */
export function medianAcross(x: Float64Array, half: number, out: Float64Array): void {
  const width = 2 * half + 1;
  const sorted = new Float64Array(width);
  const at = (i: number) => (i >= 0 && i < x.length ? x[i] : 0);
  for (let i = 0; i <= half; i++) replaceSorted(sorted, 0, width, 0, at(i));
  for (let i = 0; i < x.length; i++) {
    out[i] = sorted[half];
    replaceSorted(sorted, 0, width, at(i - half), at(i + half + 1));
  }
}
