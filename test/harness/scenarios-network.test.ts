import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

/** Network faults through the embedded Toxiproxy, on the local broker, time-scaled. */
describe("network scenarios", () => {
  it("partition-1-of-4: the broker drops the silent link and redelivers; healed, the worker serves again", async () => {
    const run = await runScenarioCli(["partition-1-of-4", "--broker", "local", "--seed", "7"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.environment.toxiproxy.kind).toBe("embedded");
    const [partition] = report.detections;
    expect(partition.fault).toBe("partition");
    expect(partition.job).not.toBeNull();
    expect(partition.detectionMs).not.toBeNull();
    expect(partition.detectionMs ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(partition.boundMs ?? 0);
    const healedAt = report.faults[0].healedAt ?? Number.POSITIVE_INFINITY;
    const servedAfter = report.chunks
      .flatMap((c) => c.deliveries)
      .filter((d) => d.worker === partition.worker && d.at > healedAt);
    expect(servedAfter.length).toBeGreaterThan(0);
  });

  it.each(["latency-4", "bandwidth-4"])(
    "%s finishes with every check passing and no redelivery",
    async (name) => {
      const run = await runScenarioCli([name, "--broker", "local", "--seed", "7"]);
      expect(run.code, run.output).toBe(0);
      const report = run.report();
      expect(report.chunks.flatMap((c) => c.deliveries).filter((d) => d.redelivered)).toEqual([]);
    },
  );

  it.each([
    ["flap-2-of-6", "cut"],
    ["broker-restart", "broker-crash"],
    ["server-partition", "cut"],
  ])("%s passes every check", async (name, fault) => {
    const run = await runScenarioCli([name, "--broker", "local", "--seed", "7"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.faults.some((f) => f.fault === fault)).toBe(true);
  });
});
