import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrokerHandle } from "../../harness/environment/broker-environment.js";
import { OFFLINE_IMAGE, RabbitMqContainerBroker } from "../../harness/environment/container-broker.js";
import type { Logger } from "../../src/log/logger.js";
import type { Delivery } from "../../src/stomp/link.js";
import { testLink } from "../support/test-link.js";
import { waitFor } from "../support/wait-for.js";

// Needs a Docker engine (DOCKER_HOST) and the offline image: `eval "$(bash scripts/docker-engine.sh up)"` and
// `bash scripts/build-rabbitmq-image.sh`. Without them this fails and says so; it is never skipped.
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
let broker: BrokerHandle;

const containersWithId = (id: string) =>
  execFileSync("docker", ["ps", "-a", "-q", "--filter", `id=${id}`], { encoding: "utf8" }).trim();

beforeAll(async () => {
  broker = await new RabbitMqContainerBroker()
    .withImage(OFFLINE_IMAGE)
    .withStartupTimeout(90_000)
    .start(quiet);
});
afterAll(() => broker?.stop());

describe("the container broker environment", () => {
  it("describes itself and publishes its ports on 127.0.0.1", () => {
    expect(broker.kind).toBe("container");
    expect(broker.description).toMatch(new RegExp(`^container ${OFFLINE_IMAGE} \\([0-9a-f]{12}\\)$`));
    expect(broker.host).toBe("127.0.0.1");
    expect(broker.managementUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("carries a STOMP message from a publisher to a subscriber", async () => {
    const link = testLink(broker);
    await link.start();
    const got: Delivery[] = [];
    link.subscribe("/queue/container-round-trip", { ack: "client-individual" }, (d) => got.push(d));
    await link.publish("/queue/container-round-trip", { persistent: "true" }, "through the container");
    await waitFor("the message", () => got.length === 1, 10_000);
    expect(got[0].body.toString()).toBe("through the container");
    await got[0].ack();
    await link.close();
  });

  it("answers the management API with guest/guest", async () => {
    const auth = Buffer.from(`${broker.user}:${broker.password}`).toString("base64");
    const res = await fetch(`${broker.managementUrl}/api/overview`, {
      headers: { authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    const overview = (await res.json()) as { rabbitmq_version?: string; listeners?: { protocol: string }[] };
    expect(overview.rabbitmq_version).toMatch(/^3\./);
    expect(overview.listeners?.map((l) => l.protocol)).toContain("stomp");
  });

  it("removes its container on stop, and a second stop is harmless", async () => {
    const id = /\(([0-9a-f]{12})\)$/.exec(broker.description)?.[1] ?? "";
    expect(containersWithId(id)).not.toBe("");
    await broker.stop();
    await broker.stop();
    expect(containersWithId(id)).toBe("");
  });
});
