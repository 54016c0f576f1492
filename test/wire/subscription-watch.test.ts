import { describe, expect, it } from "vitest";
import { SubscriptionWatch } from "../../harness/wire/subscription-watch.js";
import type { WireEvent, WireRecord } from "../../harness/wire/wire-tap.js";

const JOBS = "/queue/q.jobs";

const frame = (
  link: string,
  connection: number,
  direction: WireRecord["direction"],
  command: string,
  headers: Record<string, string>,
): WireEvent => ({
  kind: "frame",
  link,
  connection,
  direction,
  command,
  headers,
  at: 5,
  firstAt: 5,
  bodyBytes: 0,
});

const subscribe = (link: string, connection: number, receipt?: string) =>
  frame(link, connection, "to-broker", "SUBSCRIBE", {
    id: "s1",
    destination: JOBS,
    ...(receipt ? { receipt } : {}),
  });
const receipt = (link: string, connection: number, id: string) =>
  frame(link, connection, "from-broker", "RECEIPT", { "receipt-id": id });

describe("subscription watch", () => {
  it("counts a link once the broker's RECEIPT for its jobs SUBSCRIBE came back", async () => {
    const watch = new SubscriptionWatch(JOBS);
    watch.see(subscribe("worker-1", 3, "subscribe-1"));
    expect(watch.subscribed).toEqual([]);
    const all = watch.all(["worker-1"], 5000);
    watch.see(receipt("worker-1", 3, "subscribe-1"));
    await expect(all).resolves.toEqual([{ link: "worker-1", connection: 3, how: "receipt", at: 5 }]);
  });

  it("does not take a RECEIPT of another connection, or of another frame, for the subscription's", () => {
    const watch = new SubscriptionWatch(JOBS);
    watch.see(subscribe("worker-1", 3, "subscribe-1"));
    watch.see(receipt("worker-1", 4, "subscribe-1"));
    watch.see(receipt("worker-1", 3, "send-9"));
    watch.see(
      frame("worker-1", 3, "to-broker", "SUBSCRIBE", {
        id: "s2",
        destination: "/queue/q.control",
        receipt: "r",
      }),
    );
    watch.see(receipt("worker-1", 3, "r"));
    expect(watch.subscribed).toEqual([]);
  });

  it("forgets a subscription whose connection closed, until the next one is confirmed", () => {
    const watch = new SubscriptionWatch(JOBS);
    watch.see(subscribe("worker-2", 3, "a"));
    watch.see(receipt("worker-2", 3, "a"));
    watch.see({
      kind: "close",
      link: "worker-2",
      connection: 3,
      at: 9,
      direction: "to-broker",
      how: "end",
      pendingBytes: 0,
    });
    expect(watch.subscribed).toEqual([]);
    watch.see(subscribe("worker-2", 7, "b"));
    watch.see(receipt("worker-2", 7, "b"));
    expect(watch.subscribed.map((s) => s.connection)).toEqual([7]);
  });

  it("marks a SUBSCRIBE that asked no RECEIPT as only sent", () => {
    const watch = new SubscriptionWatch(JOBS);
    watch.see(subscribe("worker-1", 3));
    expect(watch.subscribed).toEqual([{ link: "worker-1", connection: 3, how: "sent", at: 5 }]);
  });

  it("names the links still unconfirmed when the time is up", async () => {
    const watch = new SubscriptionWatch(JOBS);
    watch.see(subscribe("worker-1", 3, "a"));
    watch.see(receipt("worker-1", 3, "a"));
    watch.see(subscribe("worker-2", 4, "b"));
    await expect(watch.all(["worker-1", "worker-2"], 50)).rejects.toThrow(
      /no confirmed subscription to \/queue\/q\.jobs within 0\.05 s on worker-2$/,
    );
  });
});
