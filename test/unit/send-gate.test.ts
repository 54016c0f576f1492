import { describe, expect, it } from "vitest";
import { SendGate } from "../../src/stomp/send-gate.js";

/** A send the test finishes by hand, recording when it started. */
function pending(log: string[], name: string) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    send: () => {
      log.push(`start ${name}`);
      return done.then(() => void log.push(`end ${name}`));
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("SendGate", () => {
  it("runs shared sends side by side", async () => {
    const gate = new SendGate();
    const log: string[] = [];
    const a = pending(log, "a");
    const b = pending(log, "b");
    const both = Promise.all([gate.shared(a.send), gate.shared(b.send)]);
    await tick();
    expect(log).toEqual(["start a", "start b"]);
    a.finish();
    b.finish();
    await both;
  });

  it("starts an exclusive send only once the shared ones in flight are done, and holds back the ones after it", async () => {
    const gate = new SendGate();
    const log: string[] = [];
    const a = pending(log, "a");
    const alone = pending(log, "alone");
    const later = pending(log, "later");
    const sends = [gate.shared(a.send), gate.exclusive(alone.send), gate.shared(later.send)];
    await tick();
    expect(log).toEqual(["start a"]);
    a.finish();
    await tick();
    expect(log).toEqual(["start a", "end a", "start alone"]);
    alone.finish();
    await tick();
    expect(log).toEqual(["start a", "end a", "start alone", "end alone", "start later"]);
    later.finish();
    await Promise.all(sends);
  });

  it("runs exclusive sends one after another, and lets shared ones go again when an exclusive one fails", async () => {
    const gate = new SendGate();
    const log: string[] = [];
    const first = gate.exclusive(async () => {
      log.push("first");
      throw new Error("refused");
    });
    const second = gate.exclusive(async () => void log.push("second"));
    const shared = gate.shared(async () => void log.push("shared"));
    await expect(first).rejects.toThrow("refused");
    await Promise.all([second, shared]);
    expect(log).toEqual(["first", "second", "shared"]);
  });
});
