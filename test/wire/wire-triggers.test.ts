import { describe, expect, it } from "vitest";
import type { ClassifiedFrame } from "../../harness/wire/frame-classifier.js";
import type { WireRecord } from "../../harness/wire/wire-tap.js";
import { WireTriggers } from "../../harness/wire/wire-triggers.js";

const QUEUES = { jobs: "/queue/q.jobs", results: "/queue/q.results" };

/** The frames of one job's round trip, in wire order: published, delivered, result sent and confirmed, ACKed. */
function roundTrip(job: number, music: number, conn: number): WireRecord[] {
  const f = (
    link: string,
    connection: number,
    direction: WireRecord["direction"],
    command: string,
    headers: Record<string, string>,
  ): WireRecord => ({ link, connection, direction, command, headers, at: 0, firstAt: 0, bodyBytes: 0 });
  const ids = { "job-id": String(job), "music-id": String(music) };
  return [
    f("server", 1, "to-broker", "SEND", { destination: QUEUES.jobs, ...ids }),
    f("worker-1", conn, "to-broker", "SUBSCRIBE", { id: "s1", destination: QUEUES.jobs }),
    f("worker-1", conn, "from-broker", "MESSAGE", { subscription: "s1", ack: `a${job}`, ...ids }),
    f("worker-1", conn, "to-broker", "SEND", { destination: QUEUES.results, receipt: `r${job}`, ...ids }),
    f("worker-1", conn, "from-broker", "RECEIPT", { "receipt-id": `r${job}` }),
    f("worker-1", conn, "to-broker", "ACK", { id: `a${job}` }),
    f("server", 1, "to-broker", "SUBSCRIBE", { id: "s2", destination: QUEUES.results }),
    f("server", 1, "from-broker", "MESSAGE", { subscription: "s2", ack: `b${job}`, ...ids }),
    f("server", 1, "to-broker", "ACK", { id: `b${job}` }),
  ];
}

/** Feeds frames as the taps do: from the broker before passing on, to the broker after. */
function feed(triggers: WireTriggers, frames: readonly WireRecord[]): void {
  for (const frame of frames) {
    triggers.before(frame);
    triggers.after({ kind: "frame", ...frame });
  }
}

describe("wire triggers", () => {
  it("name each frame of the exactly-once path, with its job and song", () => {
    const seen: ClassifiedFrame[] = [];
    const triggers = new WireTriggers(QUEUES, (music) => (music === 7 ? "a" : undefined));
    for (const event of [
      "job-sent",
      "job-delivered",
      "result-sent",
      "result-receipt",
      "job-ack",
      "result-delivered",
      "result-ack",
    ] as const)
      triggers.arm({ event, nth: 1 }, (c) => seen.push(c));
    feed(triggers, roundTrip(3, 7, 2));
    expect(seen.map((c) => `${c.event} Job[${c.job}] ${c.frame.link}`)).toEqual([
      "job-sent Job[3] server",
      "job-delivered Job[3] worker-1",
      "result-sent Job[3] worker-1",
      "result-receipt Job[3] worker-1",
      "job-ack Job[3] worker-1",
      "result-delivered Job[3] server",
      "result-ack Job[3] server",
    ]);
    expect(triggers.unfired).toEqual([]);
  });

  it("fire once, on the nth matching frame of the named song and link", () => {
    const fired: number[] = [];
    const triggers = new WireTriggers(QUEUES, (music) => (music === 8 ? "b" : "a"));
    triggers.arm({ event: "result-ack", song: "b", nth: 2, link: "server" }, (c) => fired.push(c.job));
    for (const [job, music] of [
      [1, 7],
      [2, 8],
      [3, 7],
      [4, 8],
      [5, 8],
    ])
      feed(triggers, roundTrip(job, music, 10 + job));
    expect(fired).toEqual([4]);
  });

  it("never fire for an ACK of a delivery the connection did not receive, and say what never fired", () => {
    const triggers = new WireTriggers(QUEUES, () => undefined);
    const fired: string[] = [];
    triggers.arm({ event: "job-ack", nth: 1 }, (c) => fired.push(c.event));
    const frames = roundTrip(1, 1, 5);
    const ack = frames.find((f) => f.command === "ACK" && f.link === "worker-1");
    if (!ack) throw new Error("no ACK");
    // The same ack id on another connection names nothing that connection was given.
    feed(triggers, [...frames.filter((f) => f !== ack), { ...ack, connection: 6 }]);
    expect(fired).toEqual([]);
    expect(triggers.unfired).toEqual([{ event: "job-ack", nth: 1 }]);
  });

  it("see a frame from the broker before it is passed on, one to the broker only after", () => {
    const order: string[] = [];
    const triggers = new WireTriggers(QUEUES, () => undefined);
    triggers.arm({ event: "result-receipt", nth: 1 }, () => order.push("receipt fired"));
    triggers.arm({ event: "job-ack", nth: 1 }, () => order.push("ack fired"));
    for (const frame of roundTrip(1, 1, 5)) {
      triggers.before(frame);
      order.push(`passed ${frame.command}`);
      triggers.after({ kind: "frame", ...frame });
    }
    expect(order.slice(order.indexOf("receipt fired") - 1, order.indexOf("ack fired") + 1)).toEqual([
      "passed SEND",
      "receipt fired",
      "passed RECEIPT",
      "passed ACK",
      "ack fired",
    ]);
  });
});
