import { describe, expect, it } from "vitest";
import { OFFLINE_IMAGE } from "../../harness/environment/container-broker.js";
import { runScenarioCli } from "./run-cli.js";

/**
 * The same scenarios with RabbitMQ in a container through Testcontainers. scripts/test.sh provides the engine
 * and the offline image; there is no registry, so the official image is neither in the engine nor pullable.
 */
describe("scenarios on the container broker", () => {
  it.each([
    ["crash-2-of-12", 2],
    ["freeze-1-of-4", 1],
  ])("%s passes every check", async (name, faults) => {
    const run = await runScenarioCli([name, "--broker", "container", "--seed", "21"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    // The default image is not in the engine: the offline one stands in, and the report says which ran.
    expect(report.environment.broker).toMatchObject({ kind: "container", image: OFFLINE_IMAGE });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.detections.filter((d) => d.detectionMs !== null)).toHaveLength(faults);
    expect(run.output).toMatch(/broker environment: container \(asked for\)/);
  });

  it("broker-crash-unconfirmed: the container is killed as a result reaches it and started again on its data", async () => {
    const run = await runScenarioCli(["broker-crash-unconfirmed", "--broker", "container", "--seed", "22"]);
    expect(run.code, run.output).toBe(0);
    const report = run.report();
    expect(report.environment.broker.kind).toBe("container");
    expect(report.checks.find((c) => c.check === "faults-landed")?.summary).toMatch(
      /broker-crash broker: all \d+ connections to the broker dropped/,
    );
    expect(run.output).toMatch(/Broker: container \w+ restarted \(STOMP 127\.0\.0\.1:\d+\)/);
  });
});

describe("an image that cannot be had", () => {
  const missing = { BROKER_IMAGE: "encore/not-built:0" };

  it("auto falls back to the local broker, says why in one line, and the scenario passes", async () => {
    const run = await runScenarioCli(["crash-1-of-3", "--seed", "4"], undefined, missing);
    expect(run.code, run.output).toBe(0);
    const why = run.output.split("\n").filter((line) => line.includes("broker environment:"));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(
      /broker environment: local \(auto: a Docker engine answers, but encore\/not-built:0 is not in the Docker engine and encore\/not-built:0 cannot be pulled \(.+\); using the local rabbitmq-server instead\)/,
    );
    expect(run.report().environment.broker).toMatchObject({ kind: "local", image: null });
  });

  it("--broker container never falls back: exit 2, naming the image and the two ways to get one", async () => {
    const run = await runScenarioCli(["crash-1-of-3", "--broker", "container"], undefined, missing);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toMatch(/encore\/not-built:0 is not in the Docker engine/);
    expect(run.output).toContain("`docker pull encore/not-built:0` where a registry is reachable");
    expect(run.output).toContain(`build ${OFFLINE_IMAGE} with \`bash scripts/build-rabbitmq-image.sh\``);
    expect(run.output).not.toMatch(/at .*\.ts:\d+/); // a message for people, not a stack trace
    expect(run.output).not.toMatch(/RabbitMQ ready/);
  });
});
