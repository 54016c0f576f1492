import { afterEach, describe, expect, it } from "vitest";
import { publishOnce } from "../../harness/client/stomp-publisher.js";
import { LocalBroker, parseQueueNames } from "../../src/broker/local-broker.js";
import { createLogger } from "../../src/log/logger.js";

const quiet = createLogger(() => {});

describe("parseQueueNames", () => {
  it("reads the strings of rabbitmqctl eval's printed list", () => {
    expect(parseQueueNames('[ok,"encore-1.jobs",ok,"b.jobs"]\n')).toEqual(["encore-1.jobs", "b.jobs"]);
    expect(parseQueueNames("[ok,ok]\n")).toEqual([]);
  });
});

describe("LocalBroker after kill -9", () => {
  let broker: LocalBroker | undefined;
  afterEach(() => broker?.stop());

  it("wakes the quorum queue RabbitMQ 3.10 brings back leaderless, so it serves again", async () => {
    broker = await LocalBroker.start({ log: quiet });
    const address = {
      host: broker.host,
      port: broker.stompPort,
      user: broker.user,
      password: broker.password,
    };
    const quorum = { "x-queue-type": "quorum", persistent: "true" };
    await publishOnce(address, "/queue/fresh", quorum, Buffer.from("one"));
    // Killed at once after the queue's creation: inside the window where the defect shows (13 of 13 measured).
    await broker.kill9();
    await broker.boot();
    expect(await broker.electLeaderless()).toEqual(["fresh"]);
    await publishOnce(address, "/queue/fresh", quorum, Buffer.from("two"), 10_000);
    expect(await broker.electLeaderless()).toEqual([]);
  });
});
