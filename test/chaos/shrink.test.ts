import { describe, expect, it } from "vitest";
import { shrink } from "../../harness/chaos/shrink.js";

/** A failure that needs every one of `culprits` (and nothing else) among the faults run. */
const needs =
  (...culprits: number[]) =>
  async (candidate: readonly number[]) =>
    culprits.every((c) => candidate.includes(c));

describe("shrink (ddmin)", () => {
  it("finds the one fault of twelve that fails the run", async () => {
    const r = await shrink([...Array(12).keys()], needs(7));
    expect(r.items).toEqual([7]);
    expect(r.complete).toBe(true);
  });

  it("keeps both faults when the failure needs the two together", async () => {
    const r = await shrink([...Array(9).keys()], needs(2, 6));
    expect(r.items).toEqual([2, 6]);
  });

  it("drops everything when the run fails without any fault", async () => {
    expect((await shrink([1, 2, 3, 4], async () => true)).items).toEqual([]);
  });

  it("stops when told, with the smallest failing list found so far", async () => {
    let calls = 0;
    const r = await shrink(
      [...Array(16).keys()],
      async (c) => {
        calls++;
        return c.includes(5) && c.includes(11);
      },
      () => calls >= 7,
    );
    expect(r.complete).toBe(false);
    expect(r.items).toContain(5);
    expect(r.items).toContain(11);
    expect(r.items.length).toBeLessThan(16);
  });
});
