import { describe, expect, it } from "vitest";
import { runScenarioCli } from "./run-cli.js";

/** The same scenarios with RabbitMQ in a container through Testcontainers (scripts/test.sh provides the engine). */
describe("scenarios on the container broker", () => {
  it.each([
    ["crash-2-of-12", 2],
    ["freeze-1-of-4", 1],
  ])("%s passes every check", async (name, faults) => {
    const run = await runScenarioCli([name, "--broker", "container", "--seed", "21"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.environment.broker.kind).toBe("container");
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.detections.filter((d) => d.detectionMs !== null)).toHaveLength(faults);
    expect(run.output).toMatch(/broker environment: container \(asked for\)/);
  });
});
