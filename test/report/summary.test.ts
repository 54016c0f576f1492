import { describe, expect, it } from "vitest";
import { spread, summarizeRun } from "../../harness/report/summary.js";
import { judgeSynthetic, writeCrashAndFreezeRun } from "./synthetic-run.js";

const summary = summarizeRun(await judgeSynthetic(writeCrashAndFreezeRun));

describe("summarizeRun", () => {
  it("counts chunks, deliveries, redeliveries, duplicates and faults", () => {
    expect(summary).toMatchObject({
      chunks: 4,
      deliveries: 6,
      redeliveries: 2,
      duplicatesDropped: 1,
      faults: 2,
    });
  });

  it("times every finished attempt's work, the frozen one with its freeze", () => {
    expect(summary.jobMs).toEqual({ count: 5, min: 988, median: 998, max: 3987 });
  });

  it("times each chunk's wait in the queue until its first delivery only", () => {
    expect(summary.queueWaitMs).toEqual({ count: 4, min: 10, median: 11.5, max: 12 });
  });

  it("takes merge and total time from the server's events, and a detection per fault", () => {
    expect(summary.mergeMs).toBe(150);
    expect(summary.totalMs).toBe(3610);
    expect(summary.detections.map((d) => [d.fault, d.job, d.detectionMs])).toEqual([
      ["kill", 4, 4],
      ["freeze", 3, 1298],
    ]);
  });
});

describe("spread", () => {
  it("is null for nothing and takes the middle of an odd or even count", () => {
    expect(spread([])).toBeNull();
    expect(spread([3, 1, 2])).toEqual({ count: 3, min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ count: 4, min: 1, median: 2.5, max: 4 });
  });
});
