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
    const served = report.checks.find((c) => c.check === "serves-after-heal");
    expect(served?.summary).toMatch(/worker-4 subscribed again \d+ ms after the heal/);
    expect(report.checks.find((c) => c.check === "faults-landed")?.summary).toMatch(
      /no byte of worker-4 reached the broker for \d+\.\d s/,
    );
  });

  it("partition-1-of-4 fails on workers that ACK on their current connection: acked-once names the ACK", async () => {
    const run = await runScenarioCli([
      "partition-1-of-4",
      "--broker",
      "local",
      "--seed",
      "7",
      "--worker-kind",
      "ack-on-current-connection",
    ]);
    expect(run.code, run.output).toBe(1);
    const acked = run.report().checks.find((c) => c.check === "acked-once");
    expect(acked?.ok).toBe(false);
    expect(acked?.summary).toMatch(
      /on a connection that did not deliver what they name: worker-\d connection \d+ ACKed/,
    );
  });

  it.each([
    ["latency-4", /latency worker-1: \d+ ms added each way \(asked 200 ± 100\)/],
    ["bandwidth-4", /bandwidth worker-1: \d+ large frames at most \d+ KB\/s \(asked 1000 KB\/s\)/],
  ])(
    "%s finishes with every check passing, no redelivery, and the slow link measured",
    async (name, seen) => {
      const run = await runScenarioCli([name, "--broker", "local", "--seed", "7"]);
      expect(run.code, run.output).toBe(0);
      const report = run.report();
      expect(report.chunks.flatMap((c) => c.deliveries).filter((d) => d.redelivered)).toEqual([]);
      expect(report.checks.find((c) => c.check === "faults-landed")?.summary).toMatch(seen);
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
