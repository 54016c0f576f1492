import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bandwidth } from "../../harness/nemesis/bandwidth.js";
import { brokerCrash } from "../../harness/nemesis/broker-crash.js";
import { consumerTimeout } from "../../harness/nemesis/consumer-timeout.js";
import { cut } from "../../harness/nemesis/cut.js";
import { freeze } from "../../harness/nemesis/freeze.js";
import { kill } from "../../harness/nemesis/kill.js";
import { latency } from "../../harness/nemesis/latency.js";
import type { FaultTarget, FaultWindow, NemesisContext } from "../../harness/nemesis/nemesis.js";
import { NotLanded } from "../../harness/nemesis/nemesis.js";
import { partition } from "../../harness/nemesis/partition.js";
import { processState } from "../../harness/nemesis/process-state.js";
import type { WireEvent } from "../../harness/wire/wire-tap.js";

/** A fault on worker-1 at t = 1000 ms, healed at 5000, with a 1 s heart-beat. */
const window = (observed: FaultWindow["observed"] = {}): FaultWindow => ({
  fault: "x",
  link: "worker-1",
  invokedAt: 1000,
  at: 1010,
  healedAt: 5000,
  observed,
  params: {},
  heartbeatMs: 1000,
});

const open = (connection: number, at: number, link = "worker-1"): WireEvent => ({
  kind: "open",
  link,
  connection,
  at,
});
const close = (connection: number, at: number, link = "worker-1"): WireEvent => ({
  kind: "close",
  link,
  connection,
  at,
  direction: "from-broker",
  how: "destroy",
  pendingBytes: 0,
});
const toBroker = (at: number, command = "HEARTBEAT", bodyBytes = 0, firstAt = at): WireEvent => ({
  kind: "frame",
  link: "worker-1",
  connection: 1,
  direction: "to-broker",
  at,
  firstAt,
  command,
  headers: {},
  bodyBytes,
});
const heartbeats = (from: number, to: number) =>
  Array.from({ length: Math.floor((to - from) / 1000) }, (_, i) => toBroker(from + i * 1000));

describe("partition: proven by silence on the link, longer than the heart-beat", () => {
  it("landed when nothing reached the broker between the toxic and the heal", () => {
    const proof = partition.prove(window(), [open(1, 0), ...heartbeats(0, 1000), toBroker(6000)]);
    expect(proof).toMatchObject({
      landed: true,
      effect: expect.stringMatching(/no byte of worker-1 reached the broker for 4\.0 s/),
    });
  });

  it("not landed when heart-beats kept arriving", () => {
    const proof = partition.prove(window(), [open(1, 0), ...heartbeats(0, 5000)]);
    expect(proof).toMatchObject({
      landed: false,
      why: expect.stringMatching(/frames of worker-1 still reached the broker/),
    });
  });

  it("not landed when the silence was too short to tell", () => {
    const proof = partition.prove({ ...window(), healedAt: 2000 }, [open(1, 0)]);
    expect(proof).toMatchObject({ landed: false, why: expect.stringMatching(/too short to tell/) });
  });
});

describe("consumer-timeout: proven by the broker's ERROR naming the timeout, on the hung worker's link", () => {
  const error = (at: number, message: string, link = "worker-1"): WireEvent => ({
    kind: "frame",
    link,
    connection: 1,
    direction: "from-broker",
    at,
    firstAt: at,
    command: "ERROR",
    headers: { message },
    bodyBytes: 0,
  });

  it("landed when the broker said the delivery timed out while the worker hung", () => {
    const proof = consumerTimeout.prove(window(), [
      open(1, 0),
      error(3500, "Delivery acknowledgement timed out"),
    ]);
    expect(proof).toMatchObject({
      landed: true,
      at: 3500,
      effect: expect.stringMatching(/2500 ms after the hang/),
    });
  });

  it("not landed on another ERROR, on another link's, or on one after the heal", () => {
    for (const wire of [
      [open(1, 0), error(3500, "Bad CONNECT")],
      [open(1, 0), error(3500, "Delivery acknowledgement timed out", "worker-2")],
      [open(1, 0), error(6000, "Delivery acknowledgement timed out")],
    ])
      expect(consumerTimeout.prove(window(), wire)).toMatchObject({ landed: false });
  });
});

describe("cut: proven by the link's connections closing at once and none getting through", () => {
  it("landed when the open connection closed and no new one came until the heal", () => {
    expect(cut.prove(window(), [open(1, 0), close(1, 1005), open(2, 5100)])).toMatchObject({ landed: true });
  });

  it("not landed when the connection stayed open", () => {
    expect(cut.prove(window(), [open(1, 0)])).toMatchObject({
      landed: false,
      why: expect.stringMatching(/stayed open/),
    });
  });

  it("not landed when a new connection got through while cut", () => {
    expect(cut.prove(window(), [open(1, 0), close(1, 1005), open(2, 3000)])).toMatchObject({
      landed: false,
      why: expect.stringMatching(/got through while cut/),
    });
  });

  it("not landed when there was nothing to cut", () => {
    expect(cut.prove(window(), [])).toMatchObject({
      landed: false,
      why: expect.stringMatching(/no connection open/),
    });
  });
});

describe("broker-crash: proven by every connection dropping", () => {
  const server = (e: WireEvent): WireEvent => ({ ...e, link: "server" });
  it("landed when all of them closed", () => {
    expect(
      brokerCrash.prove(window(), [open(1, 0), server(open(2, 0)), close(1, 1100), server(close(2, 1200))]),
    ).toMatchObject({
      landed: true,
    });
  });
  it("not landed when one survived", () => {
    expect(brokerCrash.prove(window(), [open(1, 0), server(open(2, 0)), close(1, 1100)])).toMatchObject({
      landed: false,
    });
  });
});

describe("bandwidth: proven by the rate of the large frames that crossed towards the broker", () => {
  const asked = window({ toxic: "bandwidth", rate: 1000 });
  it("landed at the asked rate (2 MB over 2 s at 1000 KB/s)", () => {
    expect(bandwidth.prove(asked, [toBroker(3100, "SEND", 2_000_000, 1100)])).toMatchObject({
      landed: true,
      effect: expect.stringMatching(/at most 1000 KB\/s \(asked 1000 KB\/s\)/),
    });
  });
  it("not landed when a large frame went through at full speed", () => {
    expect(bandwidth.prove(asked, [toBroker(1120, "SEND", 2_000_000, 1100)])).toMatchObject({
      landed: false,
    });
  });
  it("leaves out a frame whose end the heal let go (soak seed 5024: 2.8 MB, 2775 KB/s asked)", () => {
    const squeezed = { ...window({ toxic: "bandwidth", rate: 2775 }), healInvokedAt: 3241, healedAt: 3253 };
    const flushed = toBroker(3246, "SEND", 2_822_400, 2629);
    expect(bandwidth.prove({ ...squeezed, healInvokedAt: undefined }, [flushed])).toMatchObject({
      landed: false,
      why: expect.stringMatching(/at 4574 KB\/s, asked 2775 KB\/s/),
    });
    expect(bandwidth.prove(squeezed, [flushed, toBroker(3000, "SEND", 2_775_000, 2000)])).toMatchObject({
      landed: true,
      effect: expect.stringMatching(/^1 large frames at most 2775 KB\/s/),
    });
  });
  it("not landed when nothing large enough crossed", () => {
    expect(bandwidth.prove(asked, [toBroker(1120, "SEND", 1000, 1100)])).toMatchObject({
      landed: false,
      why: expect.stringMatching(/no frame of 200 KB or more/),
    });
  });
});

describe("latency: proven by the round trips the operation measured", () => {
  it("landed when the added delay is near the asked one", () => {
    expect(latency.prove(window({ latency: 200, jitter: 100, observedMs: 190 }), [])).toMatchObject({
      landed: true,
    });
  });
  it("not landed when the link was not slower", () => {
    expect(latency.prove(window({ latency: 200, jitter: 100, observedMs: 3 }), [])).toMatchObject({
      landed: false,
    });
  });
  it("not landed without a measurement", () => {
    expect(latency.prove(window({ latency: 200, jitter: 100 }), [])).toMatchObject({ landed: false });
  });
});

describe("process faults on real processes, proven from /proc", () => {
  const ctx = {} as NemesisContext;
  const target = (pid: number): FaultTarget => ({ index: 1, link: "worker-1", pid, workerId: undefined });
  const sleeper = () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    return { child, pid: child.pid ?? 0 };
  };

  it("kill: the process is seen dead; a second kill of it cannot land", async () => {
    const { child, pid } = sleeper();
    const exited = new Promise((r) => child.once("exit", r));
    const observed = await kill.inject(target(pid), ctx);
    expect(observed.dead).toMatch(/dead \d+ ms after SIGKILL/);
    expect(kill.prove({ ...window(observed), fault: "kill" }, [])).toMatchObject({ landed: true });
    await exited;
    await expect(kill.inject(target(pid), ctx)).rejects.toBeInstanceOf(NotLanded);
  });

  it("freeze: the process is seen stopped (state T), and running again when healed", async () => {
    const { child, pid } = sleeper();
    try {
      const observed = await freeze.inject(target(pid), ctx);
      expect(observed.stopped).toMatch(/in state T/);
      expect(processState(pid)).toMatch(/[Tt]/);
      expect(await freeze.heal?.(target(pid), ctx)).toEqual({ resumed: true });
      expect(processState(pid)).not.toMatch(/[Tt]/);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
