/**
 * Delta debugging (Zeller's ddmin): the smallest sub-list of `items` for which `fails` still holds, found by
 * trying halves, then complements, at ever finer grain. `fails(items)` is assumed true on entry. Each call of
 * `fails` is a whole run, so `giveUp()` is asked before each: when it says so, the smallest list found so far
 * is returned.
 */
export async function shrink<T>(
  items: readonly T[],
  fails: (candidate: readonly T[]) => Promise<boolean>,
  giveUp: () => boolean = () => false,
): Promise<{ items: T[]; tries: number; complete: boolean }> {
  let current = [...items];
  let n = 2;
  let tries = 0;
  const test = async (candidate: T[]) => {
    tries++;
    return fails(candidate);
  };
  while (current.length >= 2) {
    const parts = split(current, n);
    let reduced = false;
    for (const part of parts) {
      if (giveUp()) return { items: current, tries, complete: false };
      if (await test(part)) {
        current = part;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (const part of parts) {
        if (giveUp()) return { items: current, tries, complete: false };
        const complement = current.filter((x) => !part.includes(x));
        if (await test(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (reduced) continue;
    if (n >= current.length) break;
    n = Math.min(current.length, 2 * n);
  }
  // A single item left may itself be superfluous (the failure needs no fault at all).
  if (current.length === 1 && !giveUp() && (await test([]))) current = [];
  return { items: current, tries, complete: true };
}

function split<T>(items: readonly T[], n: number): T[][] {
  const parts: T[][] = [];
  const size = items.length / n;
  for (let i = 0; i < n; i++) parts.push(items.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return parts.filter((p) => p.length > 0);
}
