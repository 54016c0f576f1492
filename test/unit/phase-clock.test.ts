import { expect, test } from "vitest";
import { PhaseClock } from "../../harness/run/phase-clock.js";

test("each lap is the time since the previous one, so the phases add up to the whole", () => {
  const times = [1500, 1500, 4250.4];
  const clock = new PhaseClock(1000, () => times.shift() ?? Number.NaN);
  clock.lap("broker boot");
  clock.lap("nothing");
  clock.lap("song");
  expect(clock.phases).toEqual([
    { phase: "broker boot", ms: 500 },
    { phase: "nothing", ms: 0 },
    { phase: "song", ms: 2750 },
  ]);
});
