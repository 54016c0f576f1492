/** Consecutive items in groups of at most `bytes` (an item larger than that alone); sizes from `size`. */
export function batches<T extends { size: number }>(items: readonly T[], bytes: number): T[][] {
  const out: T[][] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const item of items) {
    if (size + item.size > bytes) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(item);
    size += item.size;
  }
  return out;
}
