import { expect, test } from "vitest";
import { phaseBars } from "../../harness/report/phase-bars.js";

test("bars are as long as each phase's share of the run, and a total closes the chart", () => {
  const lines = phaseBars([
    { phase: "broker boot", ms: 6000 },
    { phase: "song", ms: 2000 },
    { phase: "none", ms: 0 },
  ]);
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^broker boot\s+6\.0 s\s+75 % █{30}$/);
  expect(lines[1]).toMatch(/^song\s+2\.0 s\s+25 % █{10}$/);
  expect(lines[2]).toMatch(/^none\s+0\.0 s\s+0 % $/);
  expect(lines[3]).toMatch(/^total\s+8\.0 s$/);
});

test("a run with no phases recorded draws nothing", () => {
  expect(phaseBars([])).toEqual([]);
});
