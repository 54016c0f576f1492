import { describe, expect, it } from "vitest";
import { EnvironmentError } from "../../harness/environment/broker-environment.js";
import { ExternalBrokerProvider } from "../../harness/environment/external-broker-provider.js";
import { createLogger } from "../../src/log/logger.js";

const quiet = createLogger(() => {});

describe("--broker external", () => {
  it("takes one URL per cluster node, each with its own management API", async () => {
    const broker = await new ExternalBrokerProvider(
      "stomp://encore:s%40fe@10.0.0.1:61613,stomp://encore:s%40fe@10.0.0.2:61614?management=http://10.0.0.2:15680",
    ).start(quiet);
    expect(broker.nodes?.map((n) => [n.label, n.host, n.stompPort, n.managementUrl])).toEqual([
      ["node-1", "10.0.0.1", 61613, "http://10.0.0.1:15672"],
      ["node-2", "10.0.0.2", 61614, "http://10.0.0.2:15680"],
    ]);
    expect([broker.user, broker.password, broker.host]).toEqual(["encore", "s@fe", "10.0.0.1"]);
    expect(broker.nodes?.some((n) => n.kill9 || n.freeze)).toBe(false);
  });

  it("one URL is one broker, not a cluster", async () => {
    const broker = await new ExternalBrokerProvider("stomp://guest:guest@127.0.0.1:61613").start(quiet);
    expect(broker.nodes).toBeUndefined();
    expect(broker.stompPort).toBe(61613);
  });

  it.each([
    ["stomp://a:1,nonsense", /"nonsense" is not a URL/],
    ["stomp://a:1,http://b:2", /"http:\/\/b:2": expected stomp:\/\//],
  ])("refuses %s, naming it", (raw, why) => {
    expect(() => new ExternalBrokerProvider(raw)).toThrow(EnvironmentError);
    expect(() => new ExternalBrokerProvider(raw)).toThrow(why);
  });
});
