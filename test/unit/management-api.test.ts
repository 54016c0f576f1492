import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerHandle } from "../../harness/environment/broker-environment.js";
import { queueStats } from "../../harness/environment/management-api.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A management API that answers every request with `body`: only the fields queueStats reads matter. */
async function answering(body: string): Promise<BrokerHandle> {
  server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { managementUrl: `http://127.0.0.1:${port}`, user: "guest", password: "guest" } as BrokerHandle;
}

describe("queueStats reads the management API's answer, not trusts it", () => {
  it("reads the counts, and 0 for those not given yet", async () => {
    const broker = await answering(
      JSON.stringify({ messages_ready: 2, message_stats: { publish: 8, ack: 6 } }),
    );
    expect(await queueStats(broker, "q")).toEqual({
      queue: "q",
      ready: 2,
      unacked: 0,
      publish: 8,
      deliver: 0,
      redeliver: 0,
      ack: 6,
    });
  });

  it.each([
    ['{"messages_ready": "2"}', /messages_ready is "2"/],
    ['{"message_stats": {"publish": null}}', /publish is null/],
    ["[1, 2]", /not a queue object/],
  ])("%s: an error naming what is wrong", async (body, message) => {
    await expect(queueStats(await answering(body), "q")).rejects.toThrow(message);
  });
});
